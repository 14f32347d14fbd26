/*
 * QemuOpts: flat "key=value,..." option groups (-chardev, -machine, -mon,
 * -netdev in key=value form, ...).
 *
 *   QemuOptsList "chardev"         one per option group, registered by name
 *     .desc[]  known keys and types (empty: accept any key as a string)
 *     opts -> QemuOpts id="c1"     one per occurrence on the command line
 *               opts -> QemuOpt "backend"="socket", "host"="..."...
 *
 * Syntax: items separated by ','; ",," is a literal comma inside a value;
 * the first item may omit "name=" when the list has an implied_opt_name;
 * a bare "flag" means flag=on and "noflag" flag=off; "help" or "?" asks
 * for help.  Repeated keys are kept; lookups return the last one.
 *
 * Unlike QEMU, a QemuOptsList needs no .head initializer.
 */
#ifndef QEMU_OPTION_H
#define QEMU_OPTION_H

#include "qapi/error.h"
#include "qobject/qdict.h"

typedef enum QemuOptType {
    QEMU_OPT_STRING = 0,
    QEMU_OPT_BOOL,
    QEMU_OPT_NUMBER,
    QEMU_OPT_SIZE,
} QemuOptType;

typedef struct QemuOptDesc {
    const char *name;
    QemuOptType type;
    const char *help;
    const char *def_value_str;
} QemuOptDesc;

typedef struct QemuOpt QemuOpt;
typedef struct QemuOpts QemuOpts;

typedef struct QemuOptsList {
    const char *name;
    const char *implied_opt_name;
    bool merge_lists;           /* one QemuOpts, later options merged */
    GList *head;                /* QemuOpts *, private */
    QemuOptDesc desc[];
} QemuOptsList;

/* Registry of option groups (-name lookups). */
void qemu_add_opts(QemuOptsList *list);
/* NULL (and an error reported) if there is no such group. */
QemuOptsList *qemu_find_opts(const char *group);
/* "There is no option group 'X'" */
QemuOptsList *qemu_find_opts_err(const char *group, Error **errp);
/* All registered lists, NULL-terminated (query-command-line-options). */
QemuOptsList **qemu_get_opts_lists(void);

const char *qemu_opt_get(QemuOpts *opts, const char *name);
/* @defval if absent or not convertible */
bool qemu_opt_get_bool(QemuOpts *opts, const char *name, bool defval);
uint64_t qemu_opt_get_number(QemuOpts *opts, const char *name,
                             uint64_t defval);
uint64_t qemu_opt_get_size(QemuOpts *opts, const char *name,
                           uint64_t defval);
/* The same, removing the option (g_free() the string). */
char *qemu_opt_get_del(QemuOpts *opts, const char *name);
bool qemu_opt_has_help_opt(QemuOpts *opts);
QemuOpt *qemu_opt_find(QemuOpts *opts, const char *name);
/* Removes every option @name; returns how many there were. */
int qemu_opt_unset(QemuOpts *opts, const char *name);

bool qemu_opt_set(QemuOpts *opts, const char *name, const char *value,
                  Error **errp);
bool qemu_opt_set_bool(QemuOpts *opts, const char *name, bool val,
                       Error **errp);
bool qemu_opt_set_number(QemuOpts *opts, const char *name, int64_t val,
                         Error **errp);

typedef int (*qemu_opt_loopfunc)(void *opaque, const char *name,
                                 const char *value, Error **errp);
/* Stops at the first non-zero return, which it returns. */
int qemu_opt_foreach(QemuOpts *opts, qemu_opt_loopfunc func, void *opaque,
                     Error **errp);

QemuOpts *qemu_opts_find(QemuOptsList *list, const char *id);
/**
 * qemu_opts_create: new QemuOpts in @list.  @id must be well formed
 * ("Parameter 'id' expects an identifier"); a duplicate id fails with
 * "Duplicate ID 'X' for LIST" if @fail_if_exists, else returns the old.
 */
QemuOpts *qemu_opts_create(QemuOptsList *list, const char *id,
                           int fail_if_exists, Error **errp);
void qemu_opts_reset(QemuOptsList *list);
void qemu_opts_del(QemuOpts *opts);
const char *qemu_opts_id(QemuOpts *opts);
void qemu_opts_set_id(QemuOpts *opts, char *id);
QemuOptsList *qemu_opts_list(QemuOpts *opts);
/* Checks the options against @desc (for lists without their own). */
bool qemu_opts_validate(QemuOpts *opts, const QemuOptDesc *desc,
                        Error **errp);

/* Add "key=value,..." to an existing QemuOpts. */
bool qemu_opts_do_parse(QemuOpts *opts, const char *params,
                        const char *firstname, Error **errp);
/**
 * qemu_opts_parse: parse @params into a new QemuOpts of @list.  "help"
 * is an ordinary flag here (so an error unless the list accepts any
 * key; check qemu_opt_has_help_opt()); qemu_opts_parse_help() and
 * qemu_opts_parse_noisily() report it instead.
 */
QemuOpts *qemu_opts_parse(QemuOptsList *list, const char *params,
                          bool permit_abbrev, Error **errp);
/* The same with help support: help and errors are printed, NULL back. */
QemuOpts *qemu_opts_parse_noisily(QemuOptsList *list, const char *params,
                                  bool permit_abbrev);
/* The same, returning in *@help whether help was asked for (not printed) */
QemuOpts *qemu_opts_parse_help(QemuOptsList *list, const char *params,
                               bool permit_abbrev, bool *help,
                               Error **errp);

/* QDict <-> QemuOpts; values are strings ("id" included if set). */
QDict *qemu_opts_to_qdict(QemuOpts *opts, QDict *qdict);
QemuOpts *qemu_opts_from_qdict(QemuOptsList *list, const QDict *qdict,
                               Error **errp);

typedef int (*qemu_opts_loopfunc)(void *opaque, QemuOpts *opts,
                                  Error **errp);
int qemu_opts_foreach(QemuOptsList *list, qemu_opts_loopfunc func,
                      void *opaque, Error **errp);

/* "LIST options:\n  name=<type>  - help\n..." (g_free() it). */
char *qemu_opts_help_text(QemuOptsList *list, bool print_caption);
void qemu_opts_print_help(QemuOptsList *list, bool print_caption);

#endif
