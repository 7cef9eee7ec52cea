/* test_messaging_short_links.c: what a short link may point at, the split
 * of a URL into scheme, netloc and path (SMS links), and the public URL. */
// links: services/messaging/short_links_input.c services/messaging/short_link_json.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "../../services/messaging/short_link_json.h"
#include "../../services/messaging/short_links_input.h"

Test(short_links, netlocs)
{
    cr_assert(short_link_netloc_ok("app.example.com"));
    cr_assert(short_link_netloc_ok("127.0.0.1:8080"));
    cr_assert(eq(int, short_link_netloc_ok(""), 0));
    cr_assert(eq(int, short_link_netloc_ok("a b.com"), 0));
    cr_assert(eq(int, short_link_netloc_ok("-x.com"), 0));
    cr_assert(eq(int, short_link_netloc_ok("x.com:"), 0));
    cr_assert(eq(int, short_link_netloc_ok("x.com:0"), 0));
    cr_assert(eq(int, short_link_netloc_ok("x.com:65536"), 0));
    cr_assert(eq(int, short_link_netloc_ok("user@x.com"), 0));
}

Test(short_links, paths)
{
    cr_assert(short_link_path_ok("/"));
    cr_assert(short_link_path_ok("/a/b?c=d&e=%20#f"));
    cr_assert(eq(int, short_link_path_ok(""), 0));
    cr_assert(eq(int, short_link_path_ok("a"), 0));
    cr_assert(eq(int, short_link_path_ok("/a b"), 0));
    cr_assert(eq(int, short_link_path_ok("/\xc3\xa9"), 0));
}

Test(short_links, splits_urls)
{
    char scheme[6], netloc[SHORT_MAX_NETLOC + 1], path[SHORT_MAX_PATH + 1];

    cr_assert(eq(int, short_link_split("https://a.example.com/x?y=1", scheme, netloc, path), 0));
    cr_assert(eq(str, scheme, "https"));
    cr_assert(eq(str, netloc, "a.example.com"));
    cr_assert(eq(str, path, "/x?y=1"));
    cr_assert(eq(int, short_link_split("http://h:81?q", scheme, netloc, path), 0));
    cr_assert(eq(str, scheme, "http"));
    cr_assert(eq(str, netloc, "h:81"));
    cr_assert(eq(str, path, "/?q"));
    cr_assert(eq(int, short_link_split("https://h", scheme, netloc, path), 0));
    cr_assert(eq(str, path, "/"));
    cr_assert(eq(int, short_link_split("ftp://h/x", scheme, netloc, path), -1));
    cr_assert(eq(int, short_link_split("https:///x", scheme, netloc, path), -1));
    cr_assert(eq(int, short_link_split("https://h/a b", scheme, netloc, path), -1));
    cr_assert(eq(int, short_link_split("call me", scheme, netloc, path), -1));
}

Test(short_links, public_url)
{
    char url[128];

    short_link_url("https://go.example.com/", "AbC12345", url, sizeof url);
    cr_assert(eq(str, url, "https://go.example.com/s/AbC12345"));
    short_link_url("http://127.0.0.1:8080", "x", url, sizeof url);
    cr_assert(eq(str, url, "http://127.0.0.1:8080/s/x"));
}
