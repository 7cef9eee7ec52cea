/* password_policy.c: an entropy estimate with penalties, mapped to 0..4.
 *
 * Each character adds log2 of the size of the alphabet it comes from
 * (lower 26, upper 26, digits 10, symbols 33, other code points 100), except
 * that a character repeating the previous one, or continuing an ascending or
 * descending run ("abc", "321") or a keyboard row ("qwer"), adds only 1 bit.
 * A password from the common list scores 0. Bits map to scores at 28, 36, 50
 * and 70: a random 10-character mix of all four classes is "fair" (the
 * policy's minimum), a random 16-character one "very strong". */
#include "password_policy.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

static const char *const labels[5] = {"very weak", "weak", "fair", "strong", "very strong"};

/* The most common passwords of public breach corpora (lower-cased). */
static const char *const common_passwords[] = {
    "123456",    "password",  "123456789", "12345678",  "12345",     "qwerty",    "1234567",
    "111111",    "1234567890", "123123",   "abc123",    "1234",      "password1", "iloveyou",
    "1q2w3e4r",  "000000",    "qwerty123", "zaq12wsx",  "dragon",    "sunshine",  "princess",
    "letmein",   "654321",    "monkey",    "27653",     "1qaz2wsx",  "123321",    "qwertyuiop",
    "superman",  "asdfghjkl", "football",  "baseball",  "welcome",   "admin",     "master",
    "shadow",    "michael",   "jennifer",  "trustno1",  "hello",     "freedom",   "whatever",
    "qazwsx",    "password123", "starwars", "passw0rd", "charlie",   "donald",    "login",
    "solo",      "mustang",   "access",    "flower",    "hottie",    "loveme",    "zxcvbnm",
    "ninja",     "azerty",    "batman",    "bailey",    "secret",    "welcome1",  "admin123",
    "changeme",  "p@ssw0rd",  "letmein1",  "summer2024", "winter2024", "hospital", "patient",
    "doctor",    "nurse123",  "health",    "medical",
};

static const char *const keyboard_rows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890"};

size_t pw_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

static double alphabet_bits(unsigned char c)
{
    if (c >= 0x80)
        return log2(100.0);
    if (islower(c))
        return log2(26.0);
    if (isupper(c))
        return log2(26.0);
    if (isdigit(c))
        return log2(10.0);
    return log2(33.0);
}

/* True when b follows a on a keyboard row (either direction). */
static int keyboard_next(unsigned char a, unsigned char b)
{
    a = (unsigned char)tolower(a);
    b = (unsigned char)tolower(b);
    for (size_t r = 0; r < sizeof keyboard_rows / sizeof keyboard_rows[0]; r++) {
        const char *p = strchr(keyboard_rows[r], a);
        if (a && p && ((p[1] && (unsigned char)p[1] == b) ||
                       (p > keyboard_rows[r] && (unsigned char)p[-1] == b)))
            return 1;
    }
    return 0;
}

static int is_common(const char *pw, size_t len)
{
    for (size_t i = 0; i < sizeof common_passwords / sizeof common_passwords[0]; i++)
        if (strlen(common_passwords[i]) == len && !strncasecmp(common_passwords[i], pw, len))
            return 1;
    return 0;
}

static void suggest(struct pw_strength *out, const char *s)
{
    if (out->nsuggestions < PW_MAX_SUGGESTIONS)
        out->suggestions[out->nsuggestions++] = s;
}

void pw_strength_rate(const char *pw, size_t len, struct pw_strength *out)
{
    const unsigned char *s = (const unsigned char *)pw;
    double bits = 0;
    int classes[4] = {0, 0, 0, 0}, patterned = 0, nclasses = 0;
    size_t chars = pw_chars(pw, len);

    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if ((c & 0xC0) == 0x80)
            continue; /* continuation bytes belong to the code point before */
        if (i > 0 && c < 0x80 &&
            (c == s[i - 1] || c == s[i - 1] + 1 || c + 1 == s[i - 1] || keyboard_next(s[i - 1], c))) {
            bits += 1;
            patterned++;
        } else {
            bits += alphabet_bits(c);
        }
        classes[c >= 0x80 ? 3 : islower(c) ? 0 : isupper(c) ? 1 : isdigit(c) ? 2 : 3] = 1;
    }
    for (int i = 0; i < 4; i++)
        nclasses += classes[i];
    out->common = is_common(pw, len);
    out->score = bits < 28 ? 0 : bits < 36 ? 1 : bits < 50 ? 2 : bits < 70 ? 3 : 4;
    if (out->common)
        out->score = 0;
    out->label = labels[out->score];
    if (out->common)
        suggest(out, "Avoid common passwords: this one is on lists attackers try first.");
    if (chars < 12)
        suggest(out, "Use at least 12 characters; a few unrelated words make a long password easy to remember.");
    if (nclasses < 3)
        suggest(out, "Mix upper- and lower-case letters, digits and symbols.");
    if (patterned * 4 >= (int)chars && chars > 0)
        suggest(out, "Avoid repeated characters, sequences such as abc or 123, and keyboard rows.");
}

int pw_policy_accepts(const struct pw_strength *s)
{
    return s->score >= PW_MIN_SCORE && !s->common;
}
