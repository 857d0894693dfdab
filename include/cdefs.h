/*
 * cdefs.h -- compiler annotations shared by the headers.
 *
 * BR_CHECK marks a function whose failure the caller must handle (a
 * capped buffer that refused an append, a cookie that did not fit): the
 * build fails when its result is dropped.  GCC does not accept a (void)
 * cast as handling, on purpose.
 */
#ifndef CDEFS_H
#define CDEFS_H

#define BR_CHECK	__attribute__((warn_unused_result))

#endif /* CDEFS_H */
