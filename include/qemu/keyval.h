/*
 * keyval: QEMU's dotted key=value syntax (-blockdev, -object, -device...)
 *
 *   key-vals   = [ key-val { ',' key-val } [ ',' ] ]
 *   key-val    = key '=' val | help
 *   key        = key-fragment { '.' key-fragment }
 *   key-fragment = qapi-name | index     (index only after the first)
 *   val        = { any char except ',' | ',,' }
 *
 * Every value becomes a QString; dotted keys build nested QDicts, and a
 * dict whose keys are all indices (0, 1, ...) becomes a QList:
 *   "driver=qcow2,file.filename=a.img,children.0.x=1"
 *   -> {"driver": "qcow2", "file": {"filename": "a.img"},
 *       "children": [{"x": "1"}]}
 * With an implied key, a first item without '=' is its value:
 *   keyval_parse("filter-mirror,id=m0", "qom-type", ...)
 * "help" or "?" as an item asks for help (*help set true).  The last of
 * repeated keys wins.
 *
 * Error texts (as QEMU): "Invalid parameter 'K'", "Expected '=' after
 * parameter 'K'", "Parameters 'K.*' used inconsistently",
 * "Parameter 'K.N' missing", "Parameter 'K' is too long".
 */
#ifndef QEMU_KEYVAL_H
#define QEMU_KEYVAL_H

#include "qapi/error.h"
#include "qobject/qdict.h"

/**
 * keyval_parse: parse @params into a new QDict.  @help may be NULL, then
 * a help request is an error ("Help is not available for this option").
 */
QDict *keyval_parse(const char *params, const char *implied_key,
                    bool *help, Error **errp);

/* The same, adding to @qdict (which it returns, or NULL on error). */
QDict *keyval_parse_into(QDict *qdict, const char *params,
                         const char *implied_key, bool *help, Error **errp);

/**
 * qobject_input_from_option: the argument of -device/-object/-netdev/
 * -blockdev, in either form: a JSON object ("{...}") or keyval text with
 * @implied_key.  Returns a new QDict (JSON values keep their types;
 * keyval values are strings) or NULL with @errp set.
 */
QDict *qobject_input_from_option(const char *arg, const char *implied_key,
                                 Error **errp);
/* The same, reporting "help"/"TYPE,help" in *@help (keyval form only). */
QDict *qobject_input_from_option_help(const char *arg,
                                      const char *implied_key, bool *help,
                                      Error **errp);

/* true for "help" and "?" */
bool is_help_option(const char *s);

#endif
