-- 005_request_grants.sql: whether an onboarding request's
-- individual-group-ids and provider-roles were applied (authz.rpc.AddGroupMembers,
-- identity.rpc.GrantRoles) to its account. Due once the account is made
-- (account_step 'created') or the request is claimed; set after both calls
-- answered, so a lost answer is applied again (both are idempotent).
ALTER TABLE onboarding_requests ADD COLUMN grants_applied boolean NOT NULL DEFAULT false;
-- requests made before: their groups and roles were documented as not applied
UPDATE onboarding_requests SET grants_applied = true;
CREATE INDEX onboarding_requests_grants_due ON onboarding_requests (created_at)
    WHERE NOT grants_applied AND (individual_group_ids <> '[]' OR provider_roles <> '[]');
