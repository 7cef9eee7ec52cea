/* cr_strict.h: forced into every unit and integration test (Makefile,
 * -include): Criterion 2.4.1's C `gt(T, a, b)` is defined as !(a < b), so
 * it passes when a == b (a "greater than 0" check accepts 0). Here gt is
 * made strict. Its failure message is Criterion's own. */
#ifndef CR_STRICT_H
#define CR_STRICT_H

/* only the operator macros (no assert API: tests use either style) */
#include <criterion/internal/capabilities.h>
#include <criterion/internal/assert/op.h>

#ifndef __cplusplus
#undef CRI_BINOP_T_GT
#define CRI_BINOP_T_GT(Tag, Actual, Ref)                                                           \
    (CRI_BINOP_LT_TAG(Tag, !, Actual, Ref) && CRI_BINOP_EQ_TAG(Tag, !, Actual, Ref))
#endif

#endif
