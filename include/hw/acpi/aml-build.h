/*
 * A small AML (ACPI Machine Language) emitter, enough for a DSDT.
 *
 * AML is a byte code (ACPI 6.x, chapter 20).  Objects that contain other
 * objects carry a PkgLength, a 1-4 byte length that counts itself:
 *
 *   byte 0: bits 7-6 = number of extra bytes (0-3)
 *           1 byte : bits 5-0 are the length (< 64)
 *           2-4    : bits 3-0 are the low nibble, each extra byte adds 8
 *                    more bits
 *
 *   Scope   10 PkgLength NameString TermList
 *   Device  5B 82 PkgLength NameString TermList
 *   Method  14 PkgLength NameString Flags(args | serialized << 3) TermList
 *   Package 12 PkgLength NumElements(byte) Elements
 *   Buffer  11 PkgLength BufferSize(integer) Bytes
 *   Name    08 NameString Object
 *   Integer 00 (Zero) | 01 (One) | FF (Ones) | 0A byte | 0B word |
 *           0C dword | 0E qword
 *   String  0D ASCII 00
 *   Return  A4 Object
 *
 * NameString: optional '\' root or '^' parent prefixes, then one 4-char
 * NameSeg, or 2E + two NameSegs, or 2F count + NameSegs; segments shorter
 * than four characters are padded with '_'.
 *
 * ResourceTemplate() is a Buffer of resource descriptors closed by the end
 * tag 79 00.  Descriptors built here (ACPI 6.x, section 6.4):
 *
 *   IO              47 decode16 min16 max16 align8 len8
 *   WordBusNumber   88 0D 00 02 flags 00 gran16 min16 max16 tra16 len16
 *   WordIO          88 0D 00 01 flags 03 gran16 min16 max16 tra16 len16
 *   DWordMemory     87 17 00 00 flags tflags gran32 min32 max32 tra32 len32
 *   Interrupt       89 len16 flags count irq32...
 *
 * Ownership: every constructor returns a new Aml; aml_append() consumes
 * its child; aml_finish() consumes its argument and returns the encoded
 * bytes.  Names and sizes come from our own code and are asserted.
 */
#ifndef HW_ACPI_AML_BUILD_H
#define HW_ACPI_AML_BUILD_H

typedef struct Aml Aml;

/* aml_block: an empty term list, e.g. the body of a DSDT. */
Aml *aml_block(void);
/* aml_append: append @child's encoding to @parent and free @child. */
void aml_append(Aml *parent, Aml *child);
/* aml_finish: encode @a (consumed); free the result with
 * g_byte_array_unref(). */
GByteArray *aml_finish(Aml *a);
void aml_free(Aml *a);

/* aml_int: the shortest integer encoding of @v. */
Aml *aml_int(uint64_t v);
/* aml_string: a String object. */
Aml *aml_string(const char *s);
/* aml_name: a reference to a named object, e.g. "\\_SB.PCI0". */
Aml *aml_name(const char *name);
/* aml_name_decl: Name(@name, @val); consumes @val. */
Aml *aml_name_decl(const char *name, Aml *val);
/* aml_eisaid: EisaId("PNP0A03") as a DWord integer. */
Aml *aml_eisaid(const char *id);
/* aml_eisaid_value: the 32-bit compressed EISA id of @id. */
uint32_t aml_eisaid_value(const char *id);

Aml *aml_scope(const char *name);
Aml *aml_device(const char *name);
/* aml_method: Method(@name, @nargs, Serialized or NotSerialized). */
Aml *aml_method(const char *name, unsigned nargs, bool serialized);
/* aml_return: Return(@val); consumes @val. */
Aml *aml_return(Aml *val);
/* aml_package: Package() {}; the element count is that of the appended
 * children. */
Aml *aml_package(void);
Aml *aml_buffer(const uint8_t *data, size_t len);

/* aml_resource_template: a Buffer ending with the end tag; append
 * descriptors to it. */
Aml *aml_resource_template(void);
/* Address space descriptors, as a bridge produces them: ResourceProducer,
 * MinFixed, MaxFixed, PosDecode, granularity 0, translation 0. */
Aml *aml_word_bus_number(uint16_t min, uint16_t max);
Aml *aml_word_io(uint16_t min, uint16_t max);
Aml *aml_dword_memory(uint32_t min, uint32_t max, bool cacheable);
/* aml_io: IO(Decode16, @min, @max, @align, @len). */
Aml *aml_io(uint16_t min, uint16_t max, uint8_t align, uint8_t len);
/* aml_interrupt: Interrupt(ResourceConsumer, Level|Edge, ActiveLow|High,
 * Shared|Exclusive) {@irqs}. */
Aml *aml_interrupt(bool level, bool active_low, bool shared,
                   const uint32_t *irqs, unsigned n);

/* aml_pkglen_encode: write the PkgLength for a body of @body_len bytes
 * (the encoding counts itself) into @out; returns its size (1-4). */
unsigned aml_pkglen_encode(uint32_t body_len, uint8_t out[4]);

#endif
