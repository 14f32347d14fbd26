/*
 * User-creatable objects: -object, object-add, object-del.
 *
 * A type that implements TYPE_USER_CREATABLE can be created by the user:
 * its properties are set from a QDict (JSON or key=value), then
 * UserCreatableClass.complete() checks and activates the object, which is
 * finally placed in the tree as /objects/ID.
 */
#ifndef QOM_OBJECT_INTERFACES_H
#define QOM_OBJECT_INTERFACES_H

#include "qom/object.h"

#define TYPE_USER_CREATABLE "user-creatable"

typedef struct UserCreatable UserCreatable;   /* never defined: an Object */
typedef struct UserCreatableClass UserCreatableClass;

#define USER_CREATABLE(obj) \
    INTERFACE_CHECK(UserCreatable, (obj), TYPE_USER_CREATABLE)
#define USER_CREATABLE_CLASS(klass) \
    OBJECT_CLASS_CHECK(UserCreatableClass, (klass), TYPE_USER_CREATABLE)
#define USER_CREATABLE_GET_CLASS(obj) \
    OBJECT_GET_CLASS(UserCreatableClass, (obj), TYPE_USER_CREATABLE)

/**
 * struct UserCreatableClass:
 * @complete: called after all properties are set; validate and start.
 *            An object whose complete() fails is finalized at once, so
 *            instance_finalize must cope with a never-completed object.
 * @can_be_deleted: false refuses object-del (e.g. still in use).
 */
struct UserCreatableClass {
    InterfaceClass parent_class;

    bool (*complete)(UserCreatable *uc, Error **errp);
    bool (*can_be_deleted)(UserCreatable *uc);
};

/* Calls complete() if @uc is user-creatable (true otherwise). */
bool user_creatable_complete(UserCreatable *uc, Error **errp);
bool user_creatable_can_be_deleted(UserCreatable *uc);

/**
 * id_wellformed: letters, digits, '-', '.', '_', starting with a letter.
 */
bool id_wellformed(const char *id);

/**
 * user_creatable_add_type: create @type with properties from @qdict
 * (values JSON-typed or strings), complete it and add it as
 * /objects/@id.  Returns the object (borrowed: the tree owns it).
 */
Object *user_creatable_add_type(const char *type, const char *id,
                                const QDict *qdict, Error **errp);

/**
 * user_creatable_add_qdict: @qdict holds "qom-type", "id" and the flat
 * properties (the object-add / -object argument).
 */
Object *user_creatable_add_qdict(const QDict *qdict, Error **errp);

/**
 * user_creatable_parse_str: parse a -object argument (JSON object or
 * key=value list with implied "qom-type") into a QDict.  Prints help and
 * returns NULL without error for "help" / "TYPE,help" when @help is
 * non-NULL (*@help is then set true).
 */
QDict *user_creatable_parse_str(const char *str, bool *help, Error **errp);

/* -object STR: parse, print help if asked, else create. */
bool user_creatable_add_from_str(const char *str, Error **errp);

/**
 * user_creatable_help_text: the text -object prints for "help" (@type
 * NULL: "List of user creatable objects:" and the types) or "TYPE,help"
 * ("TYPE options:" and "  name=<type>" lines, or "There are no options
 * for TYPE.").  NULL with @errp set for an unknown type.  g_free() it.
 */
char *user_creatable_help_text(const char *type, Error **errp);
/*
 * Prints the above to stdout (@opts is unused, for QEMU compatibility);
 * false if @type is not a user-creatable type (nothing printed).
 */
bool user_creatable_print_help(const char *type, QDict *opts);

/**
 * user_creatable_del: unparent /objects/@id.  Errors: "object 'ID' not
 * found", "object 'ID' is in use, can not be deleted".
 */
bool user_creatable_del(const char *id, Error **errp);

/* Remove every user-created object (at exit). */
void user_creatable_cleanup(void);

#endif
