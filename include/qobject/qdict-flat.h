/*
 * Flat <-> nested QDicts, as the block layer's option handling needs
 * (QEMU keeps these in block/qdict.h).
 *
 * Flat form: nested members are joined with '.', list elements use
 * their index:   {"file": {"filename": "x"}, "c": [1]}
 *          <->   {"file.filename": "x", "c.0": 1}
 */
#ifndef QOBJECT_QDICT_FLAT_H
#define QOBJECT_QDICT_FLAT_H

#include "qobject/qdict.h"
#include "qobject/qlist.h"

/* Nested dicts and lists become dotted keys; empty ones are kept. */
void qdict_flatten(QDict *qdict);

/* Moves every "START..." entry of @src into a new *@dst without START. */
void qdict_extract_subqdict(QDict *src, QDict **dst, const char *start);

/*
 * Moves "0", "1", ... (scalars) or "0.", "1.", ... (sub-dicts) of @src
 * into a new list *@dst, stopping at the first missing index.
 */
void qdict_array_split(QDict *src, QList **dst);

/*
 * Number of consecutive "PREFIX0", "PREFIX1", ... entries (each a
 * scalar or a sub-dict); -EINVAL if other "PREFIX..." keys exist.
 */
int qdict_array_entries(QDict *src, const char *subqdict);

/*
 * The nested form of a flat dict: "a.b" keys become dicts ("a..b" is a
 * literal '.'), dicts keyed "0".."n-1" become lists.
 */
QObject *qdict_crumple(const QDict *src, Error **errp);

/* Moves the entries of @src into @dest (replacing if @overwrite). */
void qdict_join(QDict *dest, QDict *src, bool overwrite);

#endif
