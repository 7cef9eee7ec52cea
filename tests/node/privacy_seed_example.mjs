// privacy_seed_example.mjs: the privacy API seed's own example calls
// (seeds/000), run as written with Node 20's built-in fetch (which sends the
// JSON body as text/plain;charset=UTF-8 with no header but x-api-key). The
// URL's host, the key, the group id and the external id come from the
// environment instead of the seed's placeholders. Run by the integration
// test privacy_levels/seed_node_example_succeeds (so by `make test`); exits 0
// when both calls answer 200 {"message": "success"}. Needs nothing from npm.
const base = process.env.PRIVACY_BASE_URL;
const YOUR_API_KEY = process.env.PRIVACY_API_KEY;
const groupID = process.env.PRIVACY_GROUP_ID;
const externalID = process.env.PRIVACY_EXTERNAL_ID;

const group = await fetch(
  `${base}/configure/groups/${groupID}/privacy`,
  {
    method: "POST",
    headers: {
      "x-api-key": YOUR_API_KEY,
    },
    body: JSON.stringify({
      requestedPrivacyLevel: [],
    }),
  }
).then((response) => response.json());

const participant = await fetch(
  `${base}/configure/participants/${externalID}/privacy`,
  {
    method: "POST",
    headers: {
      "x-api-key": YOUR_API_KEY,
    },
    body: JSON.stringify({
      requestedPrivacyLevel: ["mhci", "transcript"],
    }),
  }
).then((response) => response.json());

console.log(JSON.stringify({ group, participant }));
const ok = (r) => r && r.message === "success" && Object.keys(r).length === 1;
process.exit(ok(group) && ok(participant) ? 0 : 1);
