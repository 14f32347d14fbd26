/*
 * QOM unit tests: types, inheritance, interfaces, properties (typed,
 * string parsing, errors), composition tree, user-creatable objects.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "qom/object.h"
#include "qom/object_interfaces.h"
#include "qobject/qdict.h"
#include "qobject/qstring.h"
#include "qobject/qnum.h"
#include "qobject/qbool.h"
#include "qobject/qjson.h"

/* ------------------------------------------------------------------ */
/* Test types                                                          */

#define TYPE_ANIMAL "test-animal"
#define TYPE_DOG "test-dog"
#define TYPE_PUPPY "test-puppy"
#define TYPE_PET "test-pet"
#define TYPE_WIDGET "test-widget"

typedef struct PetClass {
    InterfaceClass parent_class;
    const char *(*greet)(Object *obj);
} PetClass;

typedef struct Animal {
    Object parent_obj;
    uint32_t legs;
    int trace[4];
    int ntrace;
} Animal;

typedef struct AnimalClass {
    ObjectClass parent_class;
    const char *(*sound)(Animal *a);
} AnimalClass;

typedef struct Dog {
    Animal parent_obj;
    char *name;
} Dog;

static int finalized;

static const char *animal_sound(Animal *a)
{
    return "...";
}

static const char *dog_sound(Animal *a)
{
    return "woof";
}

static const char *dog_greet(Object *obj)
{
    return "wag";
}

static const char *puppy_greet(Object *obj)
{
    return "lick";
}

static void animal_init(Object *obj)
{
    Animal *a = (Animal *)obj;

    a->trace[a->ntrace++] = 1;
}

static void dog_init(Object *obj)
{
    Animal *a = (Animal *)obj;

    a->trace[a->ntrace++] = 2;
}

static void dog_finalize(Object *obj)
{
    Dog *d = (Dog *)obj;

    g_free(d->name);
    finalized++;
}

static void animal_class_init(ObjectClass *oc, void *data)
{
    AnimalClass *ac = (AnimalClass *)oc;
    ObjectProperty *op;

    ac->sound = animal_sound;
    op = object_class_property_add_uint32_ptr(oc, "legs",
                                              offsetof(Animal, legs),
                                              OBJ_PROP_FLAG_READWRITE);
    object_property_set_default_uint(op, 4);
    object_class_property_set_description(oc, "legs", "number of legs");
}

static void dog_class_init(ObjectClass *oc, void *data)
{
    AnimalClass *ac = (AnimalClass *)oc;
    PetClass *pc = OBJECT_CLASS_CHECK(PetClass, oc, TYPE_PET);

    ac->sound = dog_sound;
    pc->greet = dog_greet;
    object_class_property_add_str_ptr(oc, "name", offsetof(Dog, name),
                                      OBJ_PROP_FLAG_READWRITE);
}

static void puppy_class_init(ObjectClass *oc, void *data)
{
    PetClass *pc = OBJECT_CLASS_CHECK(PetClass, oc, TYPE_PET);

    pc->greet = puppy_greet;
}

/* A user-creatable type with typed properties */

typedef enum Color {
    COLOR_RED,
    COLOR_GREEN,
    COLOR_BLUE,
    COLOR__MAX,
} Color;

static const char *const color_names[] = { "red", "green", "blue" };
static const QEnumLookup color_lookup = {
    .array = color_names,
    .size = COLOR__MAX,
};

typedef struct Widget {
    Object parent_obj;
    char *label;
    bool enabled;
    Color color;
    uint8_t u8;
    uint16_t u16;
    uint64_t size;
    int64_t offset;
    Object *peer;
    bool completed;
    bool busy;
} Widget;

static char *widget_get_label(Object *obj, Error **errp)
{
    return g_strdup(((Widget *)obj)->label);
}

static void widget_set_label(Object *obj, const char *v, Error **errp)
{
    Widget *w = (Widget *)obj;

    if (!strcmp(v, "bad")) {
        error_setg(errp, "label 'bad' is not allowed");
        return;
    }
    g_free(w->label);
    w->label = g_strdup(v);
}

static bool widget_get_enabled(Object *obj, Error **errp)
{
    return ((Widget *)obj)->enabled;
}

static void widget_set_enabled(Object *obj, bool v, Error **errp)
{
    ((Widget *)obj)->enabled = v;
}

static int widget_get_color(Object *obj, Error **errp)
{
    return ((Widget *)obj)->color;
}

static void widget_set_color(Object *obj, int v, Error **errp)
{
    ((Widget *)obj)->color = v;
}

static bool widget_complete(UserCreatable *uc, Error **errp)
{
    Widget *w = (Widget *)uc;

    if (w->label && !strcmp(w->label, "fail")) {
        error_setg(errp, "widget refuses to complete");
        return false;
    }
    w->completed = true;
    return true;
}

static bool widget_can_be_deleted(UserCreatable *uc)
{
    return !((Widget *)uc)->busy;
}

static void widget_finalize(Object *obj)
{
    g_free(((Widget *)obj)->label);
    finalized++;
}

static void widget_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    ucc->complete = widget_complete;
    ucc->can_be_deleted = widget_can_be_deleted;
    object_class_property_add_str(oc, "label", widget_get_label,
                                  widget_set_label);
    object_class_property_set_required(oc, "label");
    object_class_property_add_bool(oc, "enabled", widget_get_enabled,
                                   widget_set_enabled);
    object_class_property_add_enum(oc, "color", "Color", &color_lookup,
                                   widget_get_color, widget_set_color);
    object_class_property_add_uint8_ptr(oc, "u8", offsetof(Widget, u8),
                                        OBJ_PROP_FLAG_READWRITE);
    object_class_property_add_uint16_ptr(oc, "u16", offsetof(Widget, u16),
                                         OBJ_PROP_FLAG_READWRITE);
    object_class_property_add_size_ptr(oc, "size", offsetof(Widget, size),
                                       OBJ_PROP_FLAG_READWRITE);
    object_class_property_add_int_ptr(oc, "offset", offsetof(Widget, offset),
                                      OBJ_PROP_FLAG_READWRITE);
    object_class_property_add_link(oc, "peer", TYPE_ANIMAL,
                                   offsetof(Widget, peer),
                                   object_property_allow_set_link,
                                   OBJ_PROP_LINK_STRONG);
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_PET,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(PetClass),
    }, {
        .name = TYPE_ANIMAL,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(Animal),
        .instance_init = animal_init,
        .class_size = sizeof(AnimalClass),
        .class_init = animal_class_init,
    }, {
        .name = TYPE_DOG,
        .parent = TYPE_ANIMAL,
        .instance_size = sizeof(Dog),
        .instance_init = dog_init,
        .instance_finalize = dog_finalize,
        .class_init = dog_class_init,
        .interfaces = (InterfaceInfo[]) { { TYPE_PET }, { } },
    }, {
        .name = TYPE_PUPPY,
        .parent = TYPE_DOG,
        .class_init = puppy_class_init,
    }, {
        .name = TYPE_WIDGET,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Widget),
        .instance_finalize = widget_finalize,
        .class_init = widget_class_init,
        .interfaces = (InterfaceInfo[]) { { TYPE_USER_CREATABLE }, { } },
    },
};

DEFINE_TYPES(test_types)

/* ------------------------------------------------------------------ */
/* Types                                                               */

static void test_types_inheritance(void)
{
    Object *obj = object_new(TYPE_PUPPY);
    Animal *a = (Animal *)obj;
    AnimalClass *ac = (AnimalClass *)object_get_class(obj);
    PetClass *pc;

    g_assert_cmpstr(object_get_typename(obj), ==, TYPE_PUPPY);
    g_assert_nonnull(object_dynamic_cast(obj, TYPE_DOG));
    g_assert_nonnull(object_dynamic_cast(obj, TYPE_ANIMAL));
    g_assert_nonnull(object_dynamic_cast(obj, TYPE_OBJECT));
    g_assert_nonnull(object_dynamic_cast(obj, TYPE_PET));
    g_assert_null(object_dynamic_cast(obj, TYPE_WIDGET));
    g_assert_null(object_dynamic_cast(obj, "no-such-type"));

    /* init order parent first; inherited method */
    g_assert_cmpint(a->ntrace, ==, 2);
    g_assert_cmpint(a->trace[0], ==, 1);
    g_assert_cmpint(a->trace[1], ==, 2);
    g_assert_cmpstr(ac->sound(a), ==, "woof");

    /* interface method overridden in the subclass */
    pc = OBJECT_GET_CLASS(PetClass, obj, TYPE_PET);
    g_assert_cmpstr(pc->greet(obj), ==, "lick");

    g_assert_true(object_class_is_abstract(
                      object_class_by_name(TYPE_ANIMAL)));
    g_assert_cmpstr(object_class_get_name(object_class_get_parent(
                        object_class_by_name(TYPE_PUPPY))), ==, TYPE_DOG);
    object_unref(obj);
}

static void test_types_interface_inherited(void)
{
    Object *obj = object_new(TYPE_DOG);
    PetClass *pc = OBJECT_GET_CLASS(PetClass, obj, TYPE_PET);

    g_assert_cmpstr(pc->greet(obj), ==, "wag");
    object_unref(obj);
}

static void test_types_list(void)
{
    GSList *l = object_class_get_list(TYPE_ANIMAL, false), *e;
    bool dog = false, puppy = false, animal = false;

    for (e = l; e; e = e->next) {
        const char *n = object_class_get_name(e->data);

        dog |= !strcmp(n, TYPE_DOG);
        puppy |= !strcmp(n, TYPE_PUPPY);
        animal |= !strcmp(n, TYPE_ANIMAL);
    }
    g_slist_free(l);
    g_assert_true(dog && puppy && !animal);

    l = object_class_get_list(TYPE_PET, false);
    g_assert_cmpint(g_slist_length(l), ==, 2);
    g_slist_free(l);
    l = object_class_get_list(TYPE_ANIMAL, true);
    g_assert_cmpint(g_slist_length(l), ==, 3);
    g_slist_free(l);
}

static void test_finalize_and_refcount(void)
{
    Object *obj = object_new(TYPE_DOG);
    int before = finalized;

    object_property_set_str(obj, "name", "rex", &error_abort);
    object_ref(obj);
    object_unref(obj);
    g_assert_cmpint(finalized, ==, before);
    object_unref(obj);
    g_assert_cmpint(finalized, ==, before + 1);
}

/* ------------------------------------------------------------------ */
/* Properties                                                          */

static void test_props_default_and_ptr(void)
{
    Object *obj = object_new(TYPE_DOG);
    Error *err = NULL;
    g_autofree char *name = NULL;

    /* class default applied at creation */
    g_assert_cmpuint(((Animal *)obj)->legs, ==, 4);
    g_assert_cmpuint(object_property_get_uint(obj, "legs", &error_abort),
                     ==, 4);
    object_property_set_uint(obj, "legs", 3, &error_abort);
    g_assert_cmpuint(((Animal *)obj)->legs, ==, 3);

    /* string input is parsed */
    object_property_set_str(obj, "legs", "0x10", &error_abort);
    g_assert_cmpuint(((Animal *)obj)->legs, ==, 16);
    object_property_set_str(obj, "legs", "many", &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'legs' expects integer");
    error_free_or_abort(&err);
    object_property_set_uint(obj, "legs", 1ULL << 32, &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'legs' expects uint32_t");
    error_free_or_abort(&err);
    object_property_set_bool(obj, "legs", true, &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'legs', expected: integer");
    error_free_or_abort(&err);
    g_assert_cmpuint(((Animal *)obj)->legs, ==, 16);

    object_property_set_str(obj, "name", "rex", &error_abort);
    name = object_property_get_str(obj, "name", &error_abort);
    g_assert_cmpstr(name, ==, "rex");

    object_property_set_str(obj, "nosuch", "x", &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'test-dog.nosuch' not found");
    error_free_or_abort(&err);

    object_property_set_str(obj, "type", "x", &err);
    error_free_or_abort(&err);
    object_unref(obj);
}

static void test_props_typed(void)
{
    Object *obj = object_new(TYPE_WIDGET);
    Widget *w = (Widget *)obj;
    Error *err = NULL;
    g_autofree char *s = NULL;

    /* bool from strings */
    object_property_set_str(obj, "enabled", "on", &error_abort);
    g_assert_true(w->enabled);
    object_property_set_str(obj, "enabled", "no", &error_abort);
    g_assert_false(w->enabled);
    object_property_set_str(obj, "enabled", "yes", &error_abort);
    g_assert_true(object_property_get_bool(obj, "enabled", &error_abort));
    object_property_set_str(obj, "enabled", "maybe", &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'enabled' expects 'on' or 'off'");
    error_free_or_abort(&err);

    /* enum */
    object_property_set_str(obj, "color", "blue", &error_abort);
    g_assert_cmpint(w->color, ==, COLOR_BLUE);
    s = object_property_get_str(obj, "color", &error_abort);
    g_assert_cmpstr(s, ==, "blue");
    g_assert_cmpint(object_property_get_enum(obj, "color", "Color",
                                             &error_abort), ==, COLOR_BLUE);
    object_property_set_str(obj, "color", "pink", &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'color' does not accept value 'pink'");
    error_free_or_abort(&err);

    /* sizes */
    object_property_set_str(obj, "size", "128M", &error_abort);
    g_assert_cmpuint(w->size, ==, 128 * 1024 * 1024);
    object_property_set_str(obj, "size", "1.5k", &error_abort);
    g_assert_cmpuint(w->size, ==, 1536);
    object_property_set_uint(obj, "size", 4096, &error_abort);
    g_assert_cmpuint(w->size, ==, 4096);
    object_property_set_str(obj, "size", "12Q", &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'size' expects size");
    error_free_or_abort(&err);

    /* small unsigned and signed */
    object_property_set_str(obj, "u8", "255", &error_abort);
    g_assert_cmpuint(w->u8, ==, 255);
    object_property_set_str(obj, "u8", "256", &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'u8' expects uint8_t");
    error_free_or_abort(&err);
    object_property_set_int(obj, "u16", 65535, &error_abort);
    g_assert_cmpuint(w->u16, ==, 65535);
    object_property_set_str(obj, "offset", "-42", &error_abort);
    g_assert_cmpint(object_property_get_int(obj, "offset", &error_abort),
                    ==, -42);

    /* setter errors propagate */
    object_property_set_str(obj, "label", "bad", &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "label 'bad' is not allowed");
    error_free_or_abort(&err);
    object_property_set_int(obj, "label", 1, &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'label', expected: string");
    error_free_or_abort(&err);

    object_unref(obj);
}

static void test_props_iteration(void)
{
    Object *obj = object_new(TYPE_PUPPY);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    GString *names = g_string_new("");

    object_property_add_bool(obj, "extra", NULL, NULL);
    object_property_iter_init(&iter, obj);
    while ((prop = object_property_iter_next(&iter))) {
        g_string_append_printf(names, "%s,", prop->name);
    }
    /* root class first, then subclasses, then instance properties */
    g_assert_cmpstr(names->str, ==, "type,legs,name,extra,");
    g_string_free(names, true);

    prop = object_class_property_find(object_class_by_name(TYPE_PUPPY),
                                      "legs");
    g_assert_nonnull(prop);
    g_assert_cmpstr(prop->type, ==, "uint32");
    g_assert_cmpstr(prop->description, ==, "number of legs");
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, prop->defval)), ==, 4);
    object_unref(obj);
}

/* ------------------------------------------------------------------ */
/* Composition tree                                                    */

static void test_tree_paths(void)
{
    Object *machine = container_get(object_get_root(), "/machine");
    Object *periph = container_get(object_get_root(),
                                   "/machine/peripheral");
    Object *dog = object_new(TYPE_DOG);
    Object *d0 = object_new(TYPE_DOG), *d1 = object_new(TYPE_DOG);
    g_autofree char *path = NULL, *p0 = NULL, *p1 = NULL;
    bool ambiguous = false;
    Error *err = NULL;

    g_assert_true(container_get(machine, "peripheral") == periph);
    object_property_add_child(periph, "rex", dog);
    object_unref(dog);
    path = object_get_canonical_path(dog);
    g_assert_cmpstr(path, ==, "/machine/peripheral/rex");
    g_assert_true(object_resolve_path("/machine/peripheral/rex", NULL)
                  == dog);
    g_assert_true(object_resolve_path("rex", &ambiguous) == dog);
    g_assert_false(ambiguous);
    g_assert_true(object_resolve_path_type("rex", TYPE_ANIMAL, NULL) == dog);
    g_assert_null(object_resolve_path_type("rex", TYPE_WIDGET, NULL));
    g_assert_null(object_resolve_path("/machine/nosuch", NULL));

    /* duplicate child */
    object_property_try_add_child(periph, "rex", d0, &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "attempt to add duplicate property 'rex' to object "
                    "(type 'container')");
    error_free_or_abort(&err);

    /* numbered children */
    object_property_add_child(machine, "device[*]", d0);
    object_property_add_child(machine, "device[*]", d1);
    p0 = object_get_canonical_path(d0);
    p1 = object_get_canonical_path(d1);
    g_assert_cmpstr(p0, ==, "/machine/device[0]");
    g_assert_cmpstr(p1, ==, "/machine/device[1]");

    /* the child property reads as the child's path */
    {
        g_autofree char *v = object_property_get_str(machine, "device[1]",
                                                     &error_abort);
        g_assert_cmpstr(v, ==, "/machine/device[1]");
        g_assert_cmpstr(object_property_get_type(machine, "device[1]",
                                                 &error_abort),
                        ==, "child<test-dog>");
    }

    /* unparent drops the tree's reference */
    object_ref(d0);
    object_unparent(d0);
    g_assert_null(object_get_canonical_path(d0));
    g_assert_cmpint(d0->ref, ==, 2);
    object_unref(d0);
    object_unref(d0);
    object_unparent(d1);
    object_unref(d1);
    object_unparent(dog);
}

static void test_tree_links(void)
{
    Object *objs = object_get_objects_root();
    Object *w = object_new(TYPE_WIDGET);
    Object *dog = object_new(TYPE_DOG);
    Object *other = object_new(TYPE_WIDGET);
    Error *err = NULL;
    g_autofree char *v = NULL;

    object_property_add_child(objs, "linkdog", dog);
    object_property_add_child(objs, "linkother", other);
    object_property_set_str(w, "peer", "linkdog", &error_abort);
    g_assert_true(((Widget *)w)->peer == dog);
    g_assert_cmpint(dog->ref, ==, 3);   /* ours, tree's, the strong link */
    v = object_property_get_str(w, "peer", &error_abort);
    g_assert_cmpstr(v, ==, "/objects/linkdog");
    g_assert_true(object_property_get_link(w, "peer", &error_abort) == dog);

    object_property_set_str(w, "peer", "nosuch", &err);
    g_assert_cmpstr(error_get_pretty(err), ==, "Device 'nosuch' not found");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    error_free_or_abort(&err);
    object_property_set_str(w, "peer", "linkother", &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'peer', expected: "
                    "test-animal");
    error_free_or_abort(&err);

    object_unref(w);   /* releases the strong link */
    g_assert_cmpint(dog->ref, ==, 2);
    object_unparent(dog);
    object_unref(dog);
    object_unparent(other);
    object_unref(other);
}

static int count_child(Object *child, void *opaque)
{
    (*(int *)opaque)++;
    return 0;
}

static void test_tree_alias_and_foreach(void)
{
    Object *box = object_new(TYPE_CONTAINER);
    Object *dog = object_new(TYPE_DOG);
    Object *pup = object_new(TYPE_PUPPY);
    int n = 0;

    object_property_add_child(box, "dog", dog);
    object_property_add_child(box, "pup", pup);
    object_property_add_alias(box, "dog-legs", dog, "legs");
    object_property_add_alias(box, "first", box, "dog");
    g_assert_cmpstr(object_property_get_type(box, "dog-legs", &error_abort),
                    ==, "uint32");
    object_property_set_str(box, "dog-legs", "5", &error_abort);
    g_assert_cmpuint(((Animal *)dog)->legs, ==, 5);
    g_assert_true(object_resolve_path_component(box, "first") == dog);
    g_assert_cmpstr(object_property_get_type(box, "first", &error_abort),
                    ==, "link<test-dog>");
    g_assert_cmpint(object_child_foreach(box, count_child, &n), ==, 0);
    g_assert_cmpint(n, ==, 2);

    /* finalizing the parent releases the children */
    object_unref(dog);
    g_assert_cmpint(pup->ref, ==, 2);   /* ours and the parent's */
    object_unref(box);
    g_assert_null(pup->parent);
    g_assert_cmpint(pup->ref, ==, 1);
    object_unref(pup);
}

/* ------------------------------------------------------------------ */
/* User-creatable                                                      */

static void test_uc_add_del(void)
{
    g_autoptr(QDict) args = qdict_from_jsonf_nofail(
        "{'qom-type': 'test-widget', 'id': 'w1', 'label': 'hello',"
        " 'enabled': true, 'size': '2M', 'color': 'green', 'u8': 7}");
    Object *obj;
    Widget *w;
    Error *err = NULL;
    int before;

    obj = user_creatable_add_qdict(args, &error_abort);
    w = (Widget *)obj;
    g_assert_true(w->completed);
    g_assert_true(w->enabled);
    g_assert_cmpuint(w->size, ==, 2 * 1024 * 1024);
    g_assert_cmpint(w->color, ==, COLOR_GREEN);
    g_assert_cmpuint(w->u8, ==, 7);
    g_assert_true(object_resolve_path("/objects/w1", NULL) == obj);

    /* duplicate id */
    g_assert_null(user_creatable_add_qdict(args, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "attempt to add duplicate property 'w1' to object "
                    "(type 'container')");
    error_free_or_abort(&err);

    /* can_be_deleted */
    w->busy = true;
    g_assert_false(user_creatable_del("w1", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "object 'w1' is in use, can not be deleted");
    error_free_or_abort(&err);
    w->busy = false;

    before = finalized;
    g_assert_true(user_creatable_del("w1", &error_abort));
    g_assert_cmpint(finalized, ==, before + 1);
    g_assert_null(object_resolve_path("/objects/w1", NULL));

    g_assert_false(user_creatable_del("nosuch", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "object 'nosuch' not found");
    error_free_or_abort(&err);
}

static void check_add_error(const char *json, const char *expect)
{
    g_autoptr(QObject) obj = qobject_from_json(json, &error_abort);
    QDict *args = qobject_to(QDict, obj);
    Error *err = NULL;
    int before = finalized;

    g_assert_null(user_creatable_add_qdict(args, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, expect);
    error_free(err);
    /* nothing left behind */
    g_assert_null(object_resolve_path("/objects/wx", NULL));
    g_assert_cmpint(finalized - before, <=, 1);
}

static void test_uc_errors(void)
{
    check_add_error("{\"id\": \"wx\"}", "Parameter 'qom-type' is missing");
    check_add_error("{\"qom-type\": \"nosuch\", \"id\": \"wx\"}",
                    "Parameter 'qom-type' does not accept value 'nosuch'");
    check_add_error("{\"qom-type\": \"test-dog\", \"id\": \"wx\"}",
                    "Parameter 'qom-type' does not accept value "
                    "'test-dog'");
    check_add_error("{\"qom-type\": \"test-widget\", \"label\": \"x\"}",
                    "Parameter 'id' is missing");
    check_add_error("{\"qom-type\": \"test-widget\", \"id\": \"1w\","
                    " \"label\": \"x\"}",
                    "Parameter 'id' expects an identifier");
    check_add_error("{\"qom-type\": \"test-widget\", \"id\": \"wx\"}",
                    "Parameter 'label' is missing");
    check_add_error("{\"qom-type\": \"test-widget\", \"id\": \"wx\","
                    " \"label\": \"x\", \"bogus\": 1}",
                    "Parameter 'bogus' is unexpected");
    check_add_error("{\"qom-type\": \"test-widget\", \"id\": \"wx\","
                    " \"label\": \"x\", \"u8\": \"300\"}",
                    "Parameter 'u8' expects uint8_t");
    check_add_error("{\"qom-type\": \"test-widget\", \"id\": \"wx\","
                    " \"label\": \"fail\"}",
                    "widget refuses to complete");
}

static void test_uc_from_str(void)
{
    Error *err = NULL;
    Widget *w;

    g_assert_true(user_creatable_add_from_str(
                      "test-widget,id=ws,label=a,,b,enabled=on,size=1G",
                      &error_abort));
    w = (Widget *)object_resolve_path("/objects/ws", NULL);
    g_assert_nonnull(w);
    g_assert_cmpstr(w->label, ==, "a,b");
    g_assert_cmpuint(w->size, ==, 1ULL << 30);
    g_assert_true(w->enabled);
    user_creatable_del("ws", &error_abort);

    g_assert_true(user_creatable_add_from_str(
                      "{\"qom-type\": \"test-widget\", \"id\": \"wj\","
                      " \"label\": \"j\", \"size\": 1024}", &error_abort));
    w = (Widget *)object_resolve_path("/objects/wj", NULL);
    g_assert_cmpuint(w->size, ==, 1024);
    user_creatable_del("wj", &error_abort);

    g_assert_false(user_creatable_add_from_str("test-widget,id=wz,label",
                                               &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Expected '=' after parameter 'label'");
    error_free_or_abort(&err);
}

static void test_uc_help(void)
{
    g_autofree char *all = user_creatable_help_text(NULL, &error_abort);
    g_autofree char *one = user_creatable_help_text(TYPE_WIDGET,
                                                    &error_abort);
    Error *err = NULL;

    g_assert_true(g_str_has_prefix(all, "List of user creatable objects:\n"));
    g_assert_nonnull(strstr(all, "\n  test-widget\n"));
    g_assert_null(strstr(all, "test-dog"));
    g_assert_cmpstr(one, ==,
                    "test-widget options:\n"
                    "  color=<Color>\n"
                    "  enabled=<bool>\n"
                    "  label=<string>\n"
                    "  offset=<int>\n"
                    "  peer=<link<test-animal>>\n"
                    "  size=<size>\n"
                    "  u16=<uint16>\n"
                    "  u8=<uint8>\n");
    g_assert_null(user_creatable_help_text("nosuch", &err));
    error_free_or_abort(&err);
}

static void test_new_with_props(void)
{
    Object *root = object_get_objects_root();
    Error *err = NULL;
    Object *obj;
    int before;

    obj = object_new_with_props(TYPE_WIDGET, root, "wp", &error_abort,
                                "label", "x", "size", "2k", NULL);
    g_assert_cmpuint(((Widget *)obj)->size, ==, 2048);
    g_assert_true(((Widget *)obj)->completed);
    g_assert_true(object_resolve_path("/objects/wp", NULL) == obj);

    before = finalized;
    g_assert_null(object_new_with_props(TYPE_WIDGET, root, "wq", &err,
                                        "label", "fail", NULL));
    g_assert_cmpstr(error_get_pretty(err), ==, "widget refuses to complete");
    error_free_or_abort(&err);
    g_assert_null(object_resolve_path("/objects/wq", NULL));
    g_assert_cmpint(finalized, ==, before + 1);
    g_assert_null(object_new_with_props(TYPE_WIDGET, root, "wr", &err,
                                        "size", "huge", NULL));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'size' expects size");
    error_free_or_abort(&err);
    object_unparent(obj);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qom/types/inheritance", test_types_inheritance);
    g_test_add_func("/qom/types/interface-inherited",
                    test_types_interface_inherited);
    g_test_add_func("/qom/types/list", test_types_list);
    g_test_add_func("/qom/object/finalize", test_finalize_and_refcount);
    g_test_add_func("/qom/props/default-and-ptr",
                    test_props_default_and_ptr);
    g_test_add_func("/qom/props/typed", test_props_typed);
    g_test_add_func("/qom/props/iteration", test_props_iteration);
    g_test_add_func("/qom/tree/paths", test_tree_paths);
    g_test_add_func("/qom/tree/links", test_tree_links);
    g_test_add_func("/qom/tree/alias-and-foreach",
                    test_tree_alias_and_foreach);
    g_test_add_func("/qom/user-creatable/add-del", test_uc_add_del);
    g_test_add_func("/qom/user-creatable/errors", test_uc_errors);
    g_test_add_func("/qom/user-creatable/from-str", test_uc_from_str);
    g_test_add_func("/qom/user-creatable/help", test_uc_help);
    g_test_add_func("/qom/user-creatable/new-with-props",
                    test_new_with_props);
    return g_test_run();
}
