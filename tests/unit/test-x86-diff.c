/*
 * Differential tests: every implemented non-system integer instruction
 * form runs natively on the host CPU and in the interpreter with the same
 * random/boundary registers, flags and memory; results must agree except
 * for architecturally undefined flags (masked per form).
 *
 * Seed: fixed by default (printed); X86_DIFF_SEED=<n> picks another,
 * X86_DIFF_CASES=<n> the number of cases per form.
 *
 * Native execution: the instruction is copied to an RWX page followed by
 * RET and called from a trampoline that loads/stores every GPR but RSP
 * and RFLAGS from/to a state block.  RBX, RSI and RDI point into a data
 * buffer for memory forms (the guest uses its own buffer address; values
 * are compared relative to the buffer).  Faults (#DE, #UD) are caught
 * with SIGFPE/SIGILL handlers and must match the interpreter's vector.
 */
#include "qemu/osdep.h"
#include <setjmp.h>
#include <sys/mman.h>
#include "x86/harness.h"

typedef struct NState {
    uint64_t r[16];
    uint64_t flags;
    uint64_t pad;
    X86XMMReg xmm[16];      /* offset 144 */
} NState;

NState *xt_native_state;
void *xt_native_target;
void xt_native_call(void);

asm(".text\n"
    ".globl xt_native_call\n"
    "xt_native_call:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n"
    "  push %r15\n"
    "  mov xt_native_state(%rip), %rax\n"
    "  movdqu 144(%rax), %xmm0\n"
    "  movdqu 160(%rax), %xmm1\n"
    "  movdqu 176(%rax), %xmm2\n"
    "  movdqu 192(%rax), %xmm3\n"
    "  movdqu 208(%rax), %xmm4\n"
    "  movdqu 224(%rax), %xmm5\n"
    "  movdqu 240(%rax), %xmm6\n"
    "  movdqu 256(%rax), %xmm7\n"
    "  movdqu 272(%rax), %xmm8\n"
    "  movdqu 288(%rax), %xmm9\n"
    "  movdqu 304(%rax), %xmm10\n"
    "  movdqu 320(%rax), %xmm11\n"
    "  movdqu 336(%rax), %xmm12\n"
    "  movdqu 352(%rax), %xmm13\n"
    "  movdqu 368(%rax), %xmm14\n"
    "  movdqu 384(%rax), %xmm15\n"
    "  pushq 128(%rax)\n"
    "  popfq\n"
    "  mov 8(%rax), %rcx\n mov 16(%rax), %rdx\n mov 24(%rax), %rbx\n"
    "  mov 40(%rax), %rbp\n mov 48(%rax), %rsi\n mov 56(%rax), %rdi\n"
    "  mov 64(%rax), %r8\n mov 72(%rax), %r9\n mov 80(%rax), %r10\n"
    "  mov 88(%rax), %r11\n mov 96(%rax), %r12\n mov 104(%rax), %r13\n"
    "  mov 112(%rax), %r14\n mov 120(%rax), %r15\n"
    "  mov 0(%rax), %rax\n"
    "  call *xt_native_target(%rip)\n"
    "  push %rax\n"
    "  mov xt_native_state(%rip), %rax\n"
    "  popq 0(%rax)\n"
    "  pushfq\n"
    "  popq 128(%rax)\n"
    "  cld\n"
    "  movdqu %xmm0, 144(%rax)\n"
    "  movdqu %xmm1, 160(%rax)\n"
    "  movdqu %xmm2, 176(%rax)\n"
    "  movdqu %xmm3, 192(%rax)\n"
    "  movdqu %xmm4, 208(%rax)\n"
    "  movdqu %xmm5, 224(%rax)\n"
    "  movdqu %xmm6, 240(%rax)\n"
    "  movdqu %xmm7, 256(%rax)\n"
    "  movdqu %xmm8, 272(%rax)\n"
    "  movdqu %xmm9, 288(%rax)\n"
    "  movdqu %xmm10, 304(%rax)\n"
    "  movdqu %xmm11, 320(%rax)\n"
    "  movdqu %xmm12, 336(%rax)\n"
    "  movdqu %xmm13, 352(%rax)\n"
    "  movdqu %xmm14, 368(%rax)\n"
    "  movdqu %xmm15, 384(%rax)\n"

    "  mov %rcx, 8(%rax)\n mov %rdx, 16(%rax)\n mov %rbx, 24(%rax)\n"
    "  mov %rbp, 40(%rax)\n mov %rsi, 48(%rax)\n mov %rdi, 56(%rax)\n"
    "  mov %r8, 64(%rax)\n mov %r9, 72(%rax)\n mov %r10, 80(%rax)\n"
    "  mov %r11, 88(%rax)\n mov %r12, 96(%rax)\n mov %r13, 104(%rax)\n"
    "  mov %r14, 112(%rax)\n mov %r15, 120(%rax)\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n");

#define BUF_SIZE 256
#define BUF_PTR_OFF 96      /* pointer registers start here */
#define GUEST_CODE 0x200000
#define GUEST_BUF 0x300000
#define GUEST_IDT 0x1000
#define GUEST_HANDLERS 0x2000

/* undefined-flag rules */
enum {
    U_NONE, U_LOGIC, U_SHIFT, U_ROT, U_MUL, U_DIV, U_BSF, U_BT, U_DSHIFT,
};

typedef struct Form {
    const char *name;
    uint8_t op[3];
    int oplen;
    int digit;          /* -1: reg field random; >= 0: /digit */
    bool modrm;
    int imm;            /* 0, 1 (ib), 2 (iw), 4 (iz: 2 with 66) */
    bool byte_op;       /* operand size fixed at 8 (no 66 / REX.W) */
    int undef;
    bool mem_only;
    bool reg_only;
    bool no16;          /* 66 prefix not meaningful */
    uint8_t pfx;        /* legacy prefix before all others, or 0 */
    bool fast;          /* must run in the decoded-block fast path */
} Form;

#define F(n, o, d, im, b, u) \
    { n, { o }, 1, d, true, im, b, u, false, false, false }
#define F2(n, o, d, im, b, u) \
    { n, { 0x0f, o }, 2, d, true, im, b, u, false, false, false }
#define N(n, o, im, b, u) \
    { n, { o }, 1, 0, false, im, b, u, false, false, false }
/* memory forms with a prefix (LOCK, or DS as the kernel's UP LOCK) */
#define P(n, px, o, d, im, b, u) \
    { n, { o }, 1, d, true, im, b, u, true, false, false, px, true }
#define P2(n, px, o, d, im, b, u) \
    { n, { 0x0f, o }, 2, d, true, im, b, u, true, false, false, px, true }
/* forms of the fast path, register and memory operands */
#define FF2(n, o, d, im, b, u) \
    { n, { 0x0f, o }, 2, d, true, im, b, u, false, false, false, 0, true }
#define FF(n, o, d, im, b, u) \
    { n, { o }, 1, d, true, im, b, u, false, false, false, 0, true }

static const Form forms[] = {
    F("add Eb,Gb", 0x00, -1, 0, true, U_NONE),
    F("add Ev,Gv", 0x01, -1, 0, false, U_NONE),
    F("add Gb,Eb", 0x02, -1, 0, true, U_NONE),
    F("add Gv,Ev", 0x03, -1, 0, false, U_NONE),
    N("add al,ib", 0x04, 1, true, U_NONE),
    N("add eax,iz", 0x05, 4, false, U_NONE),
    F("or Ev,Gv", 0x09, -1, 0, false, U_LOGIC),
    F("or Gb,Eb", 0x0a, -1, 0, true, U_LOGIC),
    F("adc Ev,Gv", 0x11, -1, 0, false, U_NONE),
    F("adc Gb,Eb", 0x12, -1, 0, true, U_NONE),
    N("adc eax,iz", 0x15, 4, false, U_NONE),
    F("sbb Ev,Gv", 0x19, -1, 0, false, U_NONE),
    F("sbb Gb,Eb", 0x1a, -1, 0, true, U_NONE),
    F("and Ev,Gv", 0x21, -1, 0, false, U_LOGIC),
    N("and al,ib", 0x24, 1, true, U_LOGIC),
    F("sub Ev,Gv", 0x29, -1, 0, false, U_NONE),
    F("sub Gv,Ev", 0x2b, -1, 0, false, U_NONE),
    F("xor Eb,Gb", 0x30, -1, 0, true, U_LOGIC),
    F("xor Gv,Ev", 0x33, -1, 0, false, U_LOGIC),
    F("cmp Ev,Gv", 0x39, -1, 0, false, U_NONE),
    F("cmp Gb,Eb", 0x3a, -1, 0, true, U_NONE),
    N("cmp eax,iz", 0x3d, 4, false, U_NONE),
    F("movsxd", 0x63, -1, 0, false, U_NONE),
    F("imul Gv,Ev,iz", 0x69, -1, 4, false, U_MUL),
    F("imul Gv,Ev,ib", 0x6b, -1, 1, false, U_MUL),
    F("grp1 Eb,ib /0", 0x80, 0, 1, true, U_NONE),
    F("grp1 Eb,ib /3", 0x80, 3, 1, true, U_NONE),
    F("grp1 Eb,ib /7", 0x80, 7, 1, true, U_NONE),
    N("cmp al,ib", 0x3c, 1, true, U_NONE),
    F("grp1 Ev,iz /2", 0x81, 2, 4, false, U_NONE),
    F("grp1 Ev,iz /4", 0x81, 4, 4, false, U_LOGIC),
    F("grp1 Ev,ib /5", 0x83, 5, 1, false, U_NONE),
    F("grp1 Ev,ib /7", 0x83, 7, 1, false, U_NONE),
    F("grp1 Ev,ib /1", 0x83, 1, 1, false, U_LOGIC),
    F("grp1 Ev,ib /6", 0x83, 6, 1, false, U_LOGIC),
    F("test Eb,Gb", 0x84, -1, 0, true, U_LOGIC),
    F("test Ev,Gv", 0x85, -1, 0, false, U_LOGIC),
    F("xchg Eb,Gb", 0x86, -1, 0, true, U_NONE),
    F("xchg Ev,Gv", 0x87, -1, 0, false, U_NONE),
    F("mov Eb,Gb", 0x88, -1, 0, true, U_NONE),
    F("mov Ev,Gv", 0x89, -1, 0, false, U_NONE),
    F("mov Gb,Eb", 0x8a, -1, 0, true, U_NONE),
    F("mov Gv,Ev", 0x8b, -1, 0, false, U_NONE),
    F("lea", 0x8d, -1, 0, false, U_NONE),
    N("cbw/cwde/cdqe", 0x98, 0, false, U_NONE),
    N("cwd/cdq/cqo", 0x99, 0, false, U_NONE),
    N("sahf", 0x9e, 0, true, U_NONE),
    N("lahf", 0x9f, 0, true, U_NONE),
    N("test al,ib", 0xa8, 1, true, U_LOGIC),
    N("test eax,iz", 0xa9, 4, false, U_LOGIC),
    F("grp2 Eb,ib /0", 0xc0, 0, 1, true, U_ROT),
    F("grp2 Eb,ib /2", 0xc0, 2, 1, true, U_ROT),
    F("grp2 Eb,ib /3", 0xc0, 3, 1, true, U_ROT),
    F("grp2 Eb,ib /4", 0xc0, 4, 1, true, U_SHIFT),
    F("grp2 Eb,ib /7", 0xc0, 7, 1, true, U_SHIFT),
    F("grp2 Ev,ib /0", 0xc1, 0, 1, false, U_ROT),
    F("grp2 Ev,ib /1", 0xc1, 1, 1, false, U_ROT),
    F("grp2 Ev,ib /2", 0xc1, 2, 1, false, U_ROT),
    F("grp2 Ev,ib /3", 0xc1, 3, 1, false, U_ROT),
    F("grp2 Ev,ib /4", 0xc1, 4, 1, false, U_SHIFT),
    F("grp2 Ev,ib /5", 0xc1, 5, 1, false, U_SHIFT),
    F("grp2 Ev,ib /7", 0xc1, 7, 1, false, U_SHIFT),
    F("grp2 Ev,1 /4", 0xd1, 4, 0, false, U_SHIFT),
    F("grp2 Ev,1 /5", 0xd1, 5, 0, false, U_SHIFT),
    F("grp2 Ev,1 /7", 0xd1, 7, 0, false, U_SHIFT),
    F("grp2 Ev,1 /0", 0xd1, 0, 0, false, U_ROT),
    F("grp2 Ev,1 /3", 0xd1, 3, 0, false, U_ROT),
    F("grp2 Eb,cl /5", 0xd2, 5, 0, true, U_SHIFT),
    F("grp2 Ev,cl /1", 0xd3, 1, 0, false, U_ROT),
    F("grp2 Ev,cl /2", 0xd3, 2, 0, false, U_ROT),
    F("grp2 Ev,cl /4", 0xd3, 4, 0, false, U_SHIFT),
    F("grp2 Ev,cl /5", 0xd3, 5, 0, false, U_SHIFT),
    F("grp2 Ev,cl /7", 0xd3, 7, 0, false, U_SHIFT),
    F("grp3 Eb /0 test", 0xf6, 0, 1, true, U_LOGIC),
    F("grp3 Ev /2 not", 0xf7, 2, 0, false, U_NONE),
    F("grp3 Ev /3 neg", 0xf7, 3, 0, false, U_NONE),
    F("grp3 Eb /4 mul", 0xf6, 4, 0, true, U_MUL),
    F("grp3 Ev /4 mul", 0xf7, 4, 0, false, U_MUL),
    F("grp3 Eb /5 imul", 0xf6, 5, 0, true, U_MUL),
    F("grp3 Ev /5 imul", 0xf7, 5, 0, false, U_MUL),
    F("grp3 Eb /6 div", 0xf6, 6, 0, true, U_DIV),
    F("grp3 Ev /6 div", 0xf7, 6, 0, false, U_DIV),
    F("grp3 Eb /7 idiv", 0xf6, 7, 0, true, U_DIV),
    F("grp3 Ev /7 idiv", 0xf7, 7, 0, false, U_DIV),
    N("cmc", 0xf5, 0, true, U_NONE),
    N("clc", 0xf8, 0, true, U_NONE),
    N("stc", 0xf9, 0, true, U_NONE),
    F("grp4 Eb /0 inc", 0xfe, 0, 0, true, U_NONE),
    F("grp4 Eb /1 dec", 0xfe, 1, 0, true, U_NONE),
    F("grp5 Ev /0 inc", 0xff, 0, 0, false, U_NONE),
    F("grp5 Ev /1 dec", 0xff, 1, 0, false, U_NONE),
    F2("cmovb", 0x42, -1, 0, false, U_NONE),
    F2("cmovz", 0x44, -1, 0, false, U_NONE),
    F2("cmovbe", 0x46, -1, 0, false, U_NONE),
    F2("cmovs", 0x48, -1, 0, false, U_NONE),
    F2("cmovp", 0x4a, -1, 0, false, U_NONE),
    F2("cmovl", 0x4c, -1, 0, false, U_NONE),
    F2("cmovle", 0x4e, -1, 0, false, U_NONE),
    F2("cmovnle", 0x4f, -1, 0, false, U_NONE),
    F2("seto", 0x90, 0, 0, true, U_NONE),
    F2("setae", 0x93, 0, 0, true, U_NONE),
    F2("setne", 0x95, 0, 0, true, U_NONE),
    F2("seta", 0x97, 0, 0, true, U_NONE),
    F2("setnp", 0x9b, 0, 0, true, U_NONE),
    F2("setge", 0x9d, 0, 0, true, U_NONE),
    F2("setg", 0x9f, 0, 0, true, U_NONE),
    F2("bt Ev,Gv", 0xa3, -1, 0, false, U_BT),
    F2("shld Ev,Gv,ib", 0xa4, -1, 1, false, U_DSHIFT),
    F2("shld Ev,Gv,cl", 0xa5, -1, 0, false, U_DSHIFT),
    F2("bts Ev,Gv", 0xab, -1, 0, false, U_BT),
    F2("shrd Ev,Gv,ib", 0xac, -1, 1, false, U_DSHIFT),
    F2("shrd Ev,Gv,cl", 0xad, -1, 0, false, U_DSHIFT),
    F2("imul Gv,Ev", 0xaf, -1, 0, false, U_MUL),
    F2("cmpxchg Eb,Gb", 0xb0, -1, 0, true, U_NONE),
    F2("cmpxchg Ev,Gv", 0xb1, -1, 0, false, U_NONE),
    F2("btr Ev,Gv", 0xb3, -1, 0, false, U_BT),
    F2("movzx Gv,Eb", 0xb6, -1, 0, false, U_NONE),
    F2("movzx Gv,Ew", 0xb7, -1, 0, false, U_NONE),
    F2("bt Ev,ib", 0xba, 4, 1, false, U_BT),
    F2("bts Ev,ib", 0xba, 5, 1, false, U_BT),
    F2("btr Ev,ib", 0xba, 6, 1, false, U_BT),
    F2("btc Ev,ib", 0xba, 7, 1, false, U_BT),
    F2("btc Ev,Gv", 0xbb, -1, 0, false, U_BT),
    F2("bsf", 0xbc, -1, 0, false, U_BSF),
    F2("bsr", 0xbd, -1, 0, false, U_BSF),
    F2("movsx Gv,Eb", 0xbe, -1, 0, false, U_NONE),
    F2("movsx Gv,Ew", 0xbf, -1, 0, false, U_NONE),
    F2("xadd Eb,Gb", 0xc0, -1, 0, true, U_NONE),
    F2("xadd Ev,Gv", 0xc1, -1, 0, false, U_NONE),
    /* the same forms, checked to run in the decoded-block fast path */
    FF2("fast bt Ev,Gv", 0xa3, -1, 0, false, U_BT),
    FF2("fast bts Ev,Gv", 0xab, -1, 0, false, U_BT),
    FF2("fast btr Ev,Gv", 0xb3, -1, 0, false, U_BT),
    FF2("fast btc Ev,Gv", 0xbb, -1, 0, false, U_BT),
    FF2("fast bt Ev,ib", 0xba, 4, 1, false, U_BT),
    FF2("fast btr Ev,ib", 0xba, 6, 1, false, U_BT),
    FF2("fast shld Ev,Gv,ib", 0xa4, -1, 1, false, U_DSHIFT),
    FF2("fast shrd Ev,Gv,ib", 0xac, -1, 1, false, U_DSHIFT),
    FF2("fast shld Ev,Gv,cl", 0xa5, -1, 0, false, U_DSHIFT),
    FF2("fast shrd Ev,Gv,cl", 0xad, -1, 0, false, U_DSHIFT),
    FF2("fast cmpxchg Eb,Gb", 0xb0, -1, 0, true, U_NONE),
    FF2("fast cmpxchg Ev,Gv", 0xb1, -1, 0, false, U_NONE),
    FF2("fast xadd Eb,Gb", 0xc0, -1, 0, true, U_NONE),
    FF2("fast xadd Ev,Gv", 0xc1, -1, 0, false, U_NONE),
    FF2("fast bsf", 0xbc, -1, 0, false, U_BSF),
    FF2("fast bsr", 0xbd, -1, 0, false, U_BSF),
    FF("fast xchg Eb,Gb", 0x86, -1, 0, true, U_NONE),
    FF("fast xchg Ev,Gv", 0x87, -1, 0, false, U_NONE),
    FF("fast div Eb", 0xf6, 6, 0, true, U_DIV),
    FF("fast div Ev", 0xf7, 6, 0, false, U_DIV),
    FF("fast idiv Eb", 0xf6, 7, 0, true, U_DIV),
    FF("fast idiv Ev", 0xf7, 7, 0, false, U_DIV),
    P("lock add Ev,Gv", 0xf0, 0x01, -1, 0, false, U_NONE),
    P("lock or Eb,Gb", 0xf0, 0x08, -1, 0, true, U_LOGIC),
    P("lock sbb Ev,Gv", 0xf0, 0x19, -1, 0, false, U_NONE),
    P("lock grp1 Ev,ib /0", 0xf0, 0x83, 0, 1, false, U_NONE),
    P("lock grp1 Ev,ib /5", 0xf0, 0x83, 5, 1, false, U_NONE),
    P("lock grp1 Eb,ib /1", 0xf0, 0x80, 1, 1, true, U_LOGIC),
    P("lock grp1 Eb,ib /4", 0xf0, 0x80, 4, 1, true, U_LOGIC),
    P("lock grp1 Ev,iz /6", 0xf0, 0x81, 6, 4, false, U_LOGIC),
    P("lock inc Ev", 0xf0, 0xff, 0, 0, false, U_NONE),
    P("lock dec Eb", 0xf0, 0xfe, 1, 0, true, U_NONE),
    P("lock neg Ev", 0xf0, 0xf7, 3, 0, false, U_NONE),
    P("lock not Ev", 0xf0, 0xf7, 2, 0, false, U_NONE),
    P("lock xchg Ev,Gv", 0xf0, 0x87, -1, 0, false, U_NONE),
    P2("lock cmpxchg Ev,Gv", 0xf0, 0xb1, -1, 0, false, U_NONE),
    P2("lock cmpxchg Eb,Gb", 0xf0, 0xb0, -1, 0, true, U_NONE),
    P2("lock xadd Ev,Gv", 0xf0, 0xc1, -1, 0, false, U_NONE),
    P2("lock bts Ev,Gv", 0xf0, 0xab, -1, 0, false, U_BT),
    P2("lock btc Ev,ib", 0xf0, 0xba, 7, 1, false, U_BT),
    P("ds add Ev,Gv", 0x3e, 0x01, -1, 0, false, U_NONE),
    P("ds grp1 Eb,ib /1", 0x3e, 0x80, 1, 1, true, U_LOGIC),
    P("ds inc Ev", 0x3e, 0xff, 0, 0, false, U_NONE),
    P2("ds cmpxchg Ev,Gv", 0x3e, 0xb1, -1, 0, false, U_NONE),
    P2("ds xadd Ev,Gv", 0x3e, 0xc1, -1, 0, false, U_NONE),
    P2("ds btr Ev,Gv", 0x3e, 0xb3, -1, 0, false, U_BT),
};

static const uint64_t boundary[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
    0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
    0x8000000000000000ULL, ~0ULL, ~1ULL, 31, 32, 63, 64,
};

static GRand *rng;
static sigjmp_buf native_jmp;
static volatile int native_sig;
static uint8_t *native_code;
static uint8_t *native_buf;
static X86TestMachine machine;
static uint64_t cases_run;

static uint64_t rnd_val(void)
{
    switch (g_rand_int_range(rng, 0, 6)) {
    case 0:
        return boundary[g_rand_int_range(rng, 0, G_N_ELEMENTS(boundary))];
    case 1:
        return g_rand_int_range(rng, 0, 40);
    case 2:
        return (uint64_t)(int64_t)g_rand_int_range(rng, -40, 0);
    case 3:
        return g_rand_int(rng);
    default:
        return ((uint64_t)g_rand_int(rng) << 32) | g_rand_int(rng);
    }
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
    native_sig = sig;
    siglongjmp(native_jmp, 1);
}

static void setup_native(void)
{
    struct sigaction sa;

    native_code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert(native_code != MAP_FAILED);
    native_buf = g_malloc0(BUF_SIZE + 64);
    native_buf = (uint8_t *)QEMU_ALIGN_UP((uintptr_t)native_buf, 64);
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

/* IDT whose vector v jumps to GUEST_HANDLERS + v * 16 (a HLT) */
static void setup_guest(void)
{
    int v;

    xt_init(&machine, 16 * 1024 * 1024);
    for (v = 0; v < 32; v++) {
        uint64_t h = GUEST_HANDLERS + v * 16;
        uint64_t lo = (h & 0xffff) | ((uint64_t)XT_KERNEL_CS << 16) |
                      (0x8eULL << 40) | ((h & 0xffff0000ULL) << 32);
        memcpy(machine.host + GUEST_IDT + v * 16, &lo, 8);
        memset(machine.host + GUEST_IDT + v * 16 + 8, 0, 8);
        machine.host[h] = 0xf4;
    }
    machine.env->idt.base = GUEST_IDT;
    machine.env->idt.limit = 32 * 16 - 1;
}

typedef struct Case {
    uint8_t insn[16];
    int len;
    int ot;             /* 0..3 */
    bool mem;
    bool ptr;           /* RBX holds the buffer address */
    bool str;           /* RSI/RDI hold buffer addresses */
    unsigned count;     /* masked shift count (if relevant) */
    uint64_t regs[16];
    uint64_t flags;
    X86XMMReg xmm[16];
    uint8_t buf[BUF_SIZE];
} Case;

/* RBX is the memory base of memory forms, RSI their (small) index */
static bool ptr_reg(const Case *c, int r)
{
    return (c->ptr && r == R_EBX) ||
           (c->str && (r == R_ESI || r == R_EDI));
}

static bool build_case(const Form *f, Case *c)
{
    int ot, reg, rm, i, n = 0, imm;
    bool rex_w = false, p66 = false, mem;
    int rex = 0;

    memset(c, 0, sizeof(*c));
    if (f->byte_op) {
        ot = 0;
    } else {
        ot = g_rand_int_range(rng, f->no16 ? 2 : 1, 4);
        if (ot == 1) {
            p66 = true;
        } else if (ot == 3) {
            rex_w = true;
        }
    }
    mem = f->modrm && !f->reg_only &&
          (f->mem_only || g_rand_int_range(rng, 0, 3) == 0);
    if (!strcmp(f->name, "lea")) {
        mem = true;
    }
    reg = g_rand_int_range(rng, 0, 16);
    while (reg == R_ESP || reg == R_EBX) {
        reg = g_rand_int_range(rng, 0, 16);
    }
    rm = g_rand_int_range(rng, 0, 16);
    while (rm == R_ESP || rm == R_EBX) {
        rm = g_rand_int_range(rng, 0, 16);
    }
    if (f->digit >= 0) {
        reg = f->digit;
    } else if (mem && reg == R_ESI) {
        return false;
    }
    if (f->byte_op && (reg == 7 || (!mem && rm == 7))) {
        return false;   /* BH without REX (BH is part of the pointer) */
    }
    if (reg & 8) {
        rex |= 4;
    }
    if (!mem && (rm & 8)) {
        rex |= 1;
    }
    if (rex_w) {
        rex |= 8;
    }
    if (f->byte_op && !rex && g_rand_boolean(rng)) {
        rex = 0x40;     /* use SPL-style byte regs: avoid 4 (SPL) */
    }
    if (rex || f->byte_op) {
        /* with any REX, byte register 4 is SPL: forbid it */
        if (rex && f->byte_op) {
            if ((reg & 7) == 4 && f->digit < 0) {
                return false;
            }
            if (!mem && (rm & 7) == 4) {
                return false;
            }
        }
    }
    if (!rex && !f->byte_op && !mem && (rm & 7) == 4) {
        return false;
    }
    if (f->pfx) {
        c->insn[n++] = f->pfx;
    }
    if (p66) {
        c->insn[n++] = 0x66;
    }
    if (rex) {
        c->insn[n++] = 0x40 | rex;
    }
    for (i = 0; i < f->oplen; i++) {
        c->insn[n++] = f->op[i];
    }
    if (f->modrm) {
        if (mem) {
            int kind = g_rand_int_range(rng, 0, 3);
            if (kind == 0) {
                c->insn[n++] = (reg & 7) << 3 | 3;          /* [rbx] */
            } else if (kind == 1) {
                c->insn[n++] = 0x40 | (reg & 7) << 3 | 3;   /* [rbx+d8] */
                c->insn[n++] = (uint8_t)g_rand_int_range(rng, -32, 32);
            } else {
                /* [rbx + rsi*s + d8] with rsi small */
                c->insn[n++] = 0x44 | (reg & 7) << 3;
                c->insn[n++] = (g_rand_int_range(rng, 0, 4) << 6) |
                               (R_ESI << 3) | R_EBX;
                c->insn[n++] = (uint8_t)g_rand_int_range(rng, -32, 0);
            }
        } else {
            c->insn[n++] = 0xc0 | (reg & 7) << 3 | (rm & 7);
        }
    }
    imm = f->imm;
    if (imm == 4 && ot == 1) {
        imm = 2;
    }
    if (imm == 4 && ot == 0) {
        imm = 1;
    }
    for (i = 0; i < imm; i++) {
        uint8_t v = g_rand_int(rng);
        if (i == 0 && g_rand_int_range(rng, 0, 4) == 0) {
            v = boundary[g_rand_int_range(rng, 0, G_N_ELEMENTS(boundary))];
        }
        c->insn[n++] = v;
    }
    c->len = n;
    c->ot = ot;
    c->mem = mem;
    c->ptr = mem && strcmp(f->name, "lea");
    for (i = 0; i < 16; i++) {
        c->regs[i] = rnd_val();
    }
    if ((f->undef == U_DIV) && g_rand_boolean(rng)) {
        /* keep the dividend's high half small so most divisions work */
        c->regs[R_EDX] = g_rand_int_range(rng, 0, 3);
    }
    c->regs[R_ESI] = g_rand_int_range(rng, 0, 8);
    if (mem && f->undef == U_BT && f->digit < 0) {
        /* register bit offsets address memory: stay in the buffer */
        c->regs[reg] = (uint64_t)(int64_t)g_rand_int_range(rng, -64, 256);
    }
    if (f->undef == U_DSHIFT && ot == 1) {
        /* 16-bit double shifts by more than 16 are undefined */
        if (f->imm && (c->insn[n - 1] & 0x1f) > 16) {
            c->insn[n - 1] &= 0xf;
        }
        if (!f->imm && (c->regs[R_ECX] & 0x1f) > 16) {
            c->regs[R_ECX] &= ~0x10ULL;
        }
    }
    c->regs[R_ESP] = 0;
    c->regs[R_EBX] = BUF_PTR_OFF;
    c->flags = (g_rand_int(rng) & (CC_ALL)) | 2;
    for (i = 0; i < BUF_SIZE; i++) {
        c->buf[i] = g_rand_int_range(rng, 0, 5) == 0 ?
                    boundary[g_rand_int_range(rng, 0, 4)] : g_rand_int(rng);
    }
    return true;
}

static uint32_t undef_mask(const Form *f, const Case *c)
{
    unsigned bits = 8 << c->ot;
    unsigned count;
    int shift_src;

    switch (f->undef) {
    case U_LOGIC:
        return CC_A;
    case U_MUL:
        return CC_S | CC_Z | CC_A | CC_P;
    case U_DIV:
        return CC_ALL;
    case U_BSF:
        return CC_ALL & ~CC_Z;
    case U_BT:
        return CC_O | CC_S | CC_A | CC_P;
    case U_SHIFT:
    case U_ROT:
    case U_DSHIFT:
        if (f->imm) {
            shift_src = c->insn[c->len - 1];
        } else if (f->op[0] == 0xd1) {
            shift_src = 1;
        } else {
            shift_src = c->regs[R_ECX] & 0xff;
        }
        count = shift_src & (c->ot == 3 ? 0x3f : 0x1f);
        if (count == 0) {
            return 0;
        }
        if (f->undef == U_ROT) {
            return count == 1 ? 0 : CC_O;
        }
        if (f->undef == U_DSHIFT) {
            return CC_A | (count == 1 ? 0 : CC_O) |
                   (count > bits ? CC_ALL : 0);
        }
        return CC_A | (count == 1 ? 0 : CC_O) | (count >= bits ? CC_C : 0);
    default:
        return 0;
    }
}

/* 0 = ok, or the vector of the exception */
static int run_native(const Case *c, NState *st)
{
    int i;

    memcpy(native_code, c->insn, c->len);
    native_code[c->len] = 0xc3;
    memcpy(native_buf, c->buf, BUF_SIZE);
    for (i = 0; i < 16; i++) {
        st->r[i] = c->regs[i];
        if (ptr_reg(c, i)) {
            st->r[i] += (uintptr_t)native_buf;
        }
    }
    st->flags = c->flags;
    memcpy(st->xmm, c->xmm, sizeof(st->xmm));
    xt_native_state = st;
    xt_native_target = native_code;
    native_sig = 0;
    if (sigsetjmp(native_jmp, 1)) {
        return native_sig == SIGFPE ? EXCP_DE :
               native_sig == SIGILL ? EXCP_UD :
               native_sig == SIGSEGV ? EXCP_GP : 100 + native_sig;
    }
    xt_native_call();
    for (i = 0; i < 16; i++) {
        if (ptr_reg(c, i)) {
            st->r[i] -= (uintptr_t)native_buf;
        }
    }
    return -1;
}

static int run_emu(const Case *c, NState *st)
{
    CPUX86State *env = machine.env;
    int i;

    memcpy(machine.host + GUEST_CODE, c->insn, c->len);
    machine.host[GUEST_CODE + c->len] = 0xf4;
    x86_cpu_code_flush(env);    /* code written behind the CPU's back */
    memcpy(machine.host + GUEST_BUF, c->buf, BUF_SIZE);
    for (i = 0; i < 16; i++) {
        env->regs[i] = c->regs[i];
        if (ptr_reg(c, i)) {
            env->regs[i] += GUEST_BUF;
        }
    }
    env->regs[R_ESP] = XT_STACK;
    x86_cpu_set_eflags(env, c->flags);
    memcpy(env->xmm, c->xmm, sizeof(env->xmm));
    env->rip = GUEST_CODE;
    env->halted = false;
    x86_cpu_exec(env, 1);
    for (i = 0; i < 16; i++) {
        st->r[i] = env->regs[i];
        if (ptr_reg(c, i)) {
            st->r[i] -= GUEST_BUF;
        }
    }
    st->flags = x86_cpu_get_eflags(env);
    memcpy(st->xmm, env->xmm, sizeof(st->xmm));
    if (env->rip == GUEST_CODE + c->len) {
        return -1;
    }
    if (env->rip >= GUEST_HANDLERS && env->rip < GUEST_HANDLERS + 32 * 16) {
        return (env->rip - GUEST_HANDLERS) / 16;
    }
    return 99;
}

static void dump_case(const Form *f, const Case *c, const NState *n,
                      const NState *e, int rn, int re)
{
    int i;
    GString *s = g_string_new("");

    g_string_append_printf(s, "form '%s' bytes:", f->name);
    for (i = 0; i < c->len; i++) {
        g_string_append_printf(s, " %02x", c->insn[i]);
    }
    g_string_append_printf(s, "\n exc native %d emu %d, flags in %03" PRIx64
                           " native %03" PRIx64 " emu %03" PRIx64 "\n",
                           rn, re, c->flags, n->flags & 0xfff,
                           e->flags & 0xfff);
    for (i = 0; i < 16; i++) {
        g_string_append_printf(s, " r%-2d in %016" PRIx64 " native %016"
                               PRIx64 " emu %016" PRIx64 "%s\n", i,
                               c->regs[i], n->r[i], e->r[i],
                               n->r[i] != e->r[i] ? "  <--" : "");
    }
    g_printerr("%s", s->str);
    g_string_free(s, TRUE);
}

static void test_forms(void)
{
    const char *cs = g_getenv("X86_DIFF_CASES");
    unsigned ncases = cs ? atoi(cs) : 300;
    unsigned fi, k;
    unsigned failures = 0;

    for (fi = 0; fi < G_N_ELEMENTS(forms); fi++) {
        const Form *f = &forms[fi];
        for (k = 0; k < ncases; k++) {
            Case c;
            NState n, e;
            int rn, re, i;
            uint32_t mask;
            uint64_t slow;
            bool bad = false;

            if (!build_case(f, &c)) {
                continue;
            }
            rn = run_native(&c, &n);
            slow = machine.env->slow_insns;
            re = run_emu(&c, &e);
            cases_run++;
            if (rn != re) {
                bad = true;
            } else if (f->fast && re < 0 && machine.env->slow_insns != slow) {
                g_printerr("not run in the fast path\n");
                bad = true;
            } else if (rn < 0) {
                mask = undef_mask(f, &c);
                if ((n.flags ^ e.flags) & (CC_ALL | DF_MASK) & ~mask) {
                    bad = true;
                }
                for (i = 0; i < 16; i++) {
                    if (i != R_ESP && n.r[i] != e.r[i]) {
                        if (f->undef == U_BSF && i != R_ESP) {
                            /* destination undefined for a zero source */
                            if (n.flags & CC_Z) {
                                continue;
                            }
                        }
                        bad = true;
                    }
                }
                for (i = 0; i < 16; i++) {
                    if (memcmp(&n.xmm[i], &e.xmm[i], 16)) {
                        g_printerr("xmm%d differs: native %016" PRIx64
                                   "%016" PRIx64 " emu %016" PRIx64
                                   "%016" PRIx64 "\n", i, n.xmm[i].q[1],
                                   n.xmm[i].q[0], e.xmm[i].q[1],
                                   e.xmm[i].q[0]);
                        bad = true;
                    }
                }
                if (memcmp(native_buf, machine.host + GUEST_BUF, BUF_SIZE)) {
                    g_printerr("memory differs\n");
                    bad = true;
                }
            }
            if (bad) {
                dump_case(f, &c, &n, &e, rn, re);
                if (++failures > 10) {
                    g_assert_not_reached();
                }
                break;
            }
        }
    }
    g_printerr("# %" PRIu64 " cases over %zu forms\n", cases_run,
               G_N_ELEMENTS(forms));
    g_assert_cmpuint(failures, ==, 0);
}

/* SSE forms: mandatory prefix, 0F opcode, ModRM, imm8 */
typedef struct SseForm {
    const char *name;
    uint8_t pfx;        /* 0, 0x66, 0xf3, 0xf2 */
    uint8_t op;
    int digit;          /* -1 or /digit (register-only shift groups) */
    bool imm;
    uint8_t imm_mask;   /* 0: any */
    int mode;           /* 0 reg+mem, 1 reg only, 2 mem only */
    bool rexw;          /* REX.W meaningful (GPR size) */
    bool flags;         /* sets arithmetic flags (comis) */
} SseForm;

#define S(n, p, o, m) { n, p, o, -1, false, 0, m, false, false }
#define SI(n, p, o, m, mask) { n, p, o, -1, true, mask, m, false, false }
#define SW(n, p, o, m) { n, p, o, -1, false, 0, m, true, false }
#define SF(n, p, o) { n, p, o, -1, false, 0, 0, false, true }
#define SG(n, o, d) { n, 0x66, o, d, true, 0, 1, false, false }

static const SseForm sse_forms[] = {
    S("movdqa", 0x66, 0x6f, 0), S("movdqu", 0xf3, 0x6f, 0),
    S("movdqa st", 0x66, 0x7f, 0), S("movdqu st", 0xf3, 0x7f, 0),
    S("movaps", 0, 0x28, 0), S("movaps st", 0, 0x29, 0),
    S("movups", 0, 0x10, 0), S("movups st", 0, 0x11, 0),
    S("movsd", 0xf2, 0x10, 0), S("movsd st", 0xf2, 0x11, 0),
    S("movss", 0xf3, 0x10, 0), S("movss st", 0xf3, 0x11, 0),
    SW("movd/q x,r", 0x66, 0x6e, 0), SW("movd/q r,x", 0x66, 0x7e, 0),
    S("movq x,xm", 0xf3, 0x7e, 0), S("movq xm,x", 0x66, 0xd6, 0),
    S("movlps/movhlps", 0, 0x12, 0), S("movhps/movlhps", 0, 0x16, 0),
    S("movlpd", 0x66, 0x12, 2), S("movhpd", 0x66, 0x16, 2),
    S("movlps st", 0, 0x13, 2), S("movhps st", 0, 0x17, 2),
    S("movlpd st", 0x66, 0x13, 2), S("movhpd st", 0x66, 0x17, 2),
    S("xorps", 0, 0x57, 0), S("xorpd", 0x66, 0x57, 0),
    S("andps", 0, 0x54, 0), S("andnpd", 0x66, 0x55, 0), S("orps", 0, 0x56, 0),
    S("pxor", 0x66, 0xef, 0), S("por", 0x66, 0xeb, 0),
    S("pand", 0x66, 0xdb, 0), S("pandn", 0x66, 0xdf, 0),
    S("pcmpeqb", 0x66, 0x74, 0), S("pcmpeqw", 0x66, 0x75, 0),
    S("pcmpeqd", 0x66, 0x76, 0), S("pcmpgtb", 0x66, 0x64, 0),
    S("pcmpgtw", 0x66, 0x65, 0), S("pcmpgtd", 0x66, 0x66, 0),
    S("pmovmskb", 0x66, 0xd7, 1), S("movmskps", 0, 0x50, 1),
    S("movmskpd", 0x66, 0x50, 1),
    S("pminub", 0x66, 0xda, 0), S("pmaxub", 0x66, 0xde, 0),
    S("pminsw", 0x66, 0xea, 0), S("pmaxsw", 0x66, 0xee, 0),
    S("paddb", 0x66, 0xfc, 0), S("paddw", 0x66, 0xfd, 0),
    S("paddd", 0x66, 0xfe, 0), S("paddq", 0x66, 0xd4, 0),
    S("psubb", 0x66, 0xf8, 0), S("psubw", 0x66, 0xf9, 0),
    S("psubd", 0x66, 0xfa, 0), S("psubq", 0x66, 0xfb, 0),
    S("psubusb", 0x66, 0xd8, 0), S("psubusw", 0x66, 0xd9, 0),
    S("paddusb", 0x66, 0xdc, 0), S("paddusw", 0x66, 0xdd, 0),
    S("psubsb", 0x66, 0xe8, 0), S("psubsw", 0x66, 0xe9, 0),
    S("paddsb", 0x66, 0xec, 0), S("paddsw", 0x66, 0xed, 0),
    S("pmullw", 0x66, 0xd5, 0), S("pmulhuw", 0x66, 0xe4, 0),
    S("pmulhw", 0x66, 0xe5, 0), S("pmuludq", 0x66, 0xf4, 0),
    S("pmaddwd", 0x66, 0xf5, 0), S("psadbw", 0x66, 0xf6, 0),
    S("pavgb", 0x66, 0xe0, 0), S("pavgw", 0x66, 0xe3, 0),
    SI("pshufd", 0x66, 0x70, 0, 0), SI("pshuflw", 0xf2, 0x70, 0, 0),
    SI("pshufhw", 0xf3, 0x70, 0, 0),
    S("punpcklbw", 0x66, 0x60, 0), S("punpcklwd", 0x66, 0x61, 0),
    S("punpckldq", 0x66, 0x62, 0), S("punpckhbw", 0x66, 0x68, 0),
    S("punpckhwd", 0x66, 0x69, 0), S("punpckhdq", 0x66, 0x6a, 0),
    S("punpcklqdq", 0x66, 0x6c, 0), S("punpckhqdq", 0x66, 0x6d, 0),
    S("packsswb", 0x66, 0x63, 0), S("packuswb", 0x66, 0x67, 0),
    S("packssdw", 0x66, 0x6b, 0),
    SG("psrlw i", 0x71, 2), SG("psraw i", 0x71, 4), SG("psllw i", 0x71, 6),
    SG("psrld i", 0x72, 2), SG("psrad i", 0x72, 4), SG("pslld i", 0x72, 6),
    SG("psrlq i", 0x73, 2), SG("psrldq", 0x73, 3), SG("psllq i", 0x73, 6),
    SG("pslldq", 0x73, 7),
    S("psrlw", 0x66, 0xd1, 0), S("psrld", 0x66, 0xd2, 0),
    S("psrlq", 0x66, 0xd3, 0), S("psraw", 0x66, 0xe1, 0),
    S("psrad", 0x66, 0xe2, 0), S("psllw", 0x66, 0xf1, 0),
    S("pslld", 0x66, 0xf2, 0), S("psllq", 0x66, 0xf3, 0),
    SI("pinsrw", 0x66, 0xc4, 0, 0), SI("pextrw", 0x66, 0xc5, 1, 0),
    SI("shufps", 0, 0xc6, 0, 0), SI("shufpd", 0x66, 0xc6, 0, 3),
    S("unpcklps", 0, 0x14, 0), S("unpckhps", 0, 0x15, 0),
    S("unpcklpd", 0x66, 0x14, 0), S("unpckhpd", 0x66, 0x15, 0),
    S("addsd", 0xf2, 0x58, 0), S("mulsd", 0xf2, 0x59, 0),
    S("subsd", 0xf2, 0x5c, 0), S("minsd", 0xf2, 0x5d, 0),
    S("divsd", 0xf2, 0x5e, 0), S("maxsd", 0xf2, 0x5f, 0),
    S("sqrtsd", 0xf2, 0x51, 0), S("addss", 0xf3, 0x58, 0),
    S("mulss", 0xf3, 0x59, 0), S("divss", 0xf3, 0x5e, 0),
    S("addpd", 0x66, 0x58, 0), S("mulpd", 0x66, 0x59, 0),
    S("subps", 0, 0x5c, 0), S("maxps", 0, 0x5f, 0),
    SF("ucomisd", 0x66, 0x2e), SF("comisd", 0x66, 0x2f),
    SF("ucomiss", 0, 0x2e), SF("comiss", 0, 0x2f),
    SW("cvtsi2sd", 0xf2, 0x2a, 0), SW("cvtsi2ss", 0xf3, 0x2a, 0),
    SW("cvttsd2si", 0xf2, 0x2c, 0), SW("cvtsd2si", 0xf2, 0x2d, 0),
    SW("cvttss2si", 0xf3, 0x2c, 0),
    S("cvtsd2ss", 0xf2, 0x5a, 0), S("cvtss2sd", 0xf3, 0x5a, 0),
    S("cvtps2pd", 0, 0x5a, 0), S("cvtpd2ps", 0x66, 0x5a, 0),
    S("cvtdq2ps", 0, 0x5b, 0), S("cvtps2dq", 0x66, 0x5b, 0),
    S("cvttps2dq", 0xf3, 0x5b, 0), S("cvtdq2pd", 0xf3, 0xe6, 0),
    S("cvttpd2dq", 0x66, 0xe6, 0), S("cvtpd2dq", 0xf2, 0xe6, 0),
    SI("cmpps", 0, 0xc2, 0, 7), SI("cmppd", 0x66, 0xc2, 0, 7),
    SI("cmpsd", 0xf2, 0xc2, 0, 7), SI("cmpss", 0xf3, 0xc2, 0, 7),
};

static const double fp_special[] = {
    0.0, -0.0, 1.0, -1.5, 0.5, 3.0e9, -3.0e9, 1e300, -1e-310, 2147483648.0,
    9.3e18, -9.3e18, 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0, 4294967296.5,
};

static uint64_t rnd_lane(void)
{
    double d;
    float f[2];
    uint64_t v;

    switch (g_rand_int_range(rng, 0, 4)) {
    case 0:
        d = fp_special[g_rand_int_range(rng, 0, G_N_ELEMENTS(fp_special))];
        memcpy(&v, &d, 8);
        return v;
    case 1:
        f[0] = fp_special[g_rand_int_range(rng, 0, G_N_ELEMENTS(fp_special))];
        f[1] = (float)g_rand_double_range(rng, -1000, 1000);
        memcpy(&v, f, 8);
        return v;
    case 2:
        d = g_rand_double_range(rng, -1e6, 1e6);
        memcpy(&v, &d, 8);
        return v;
    default:
        return rnd_val();
    }
}

static bool build_sse_case(const SseForm *f, Case *c)
{
    int reg, rm, n = 0, i, rex = 0;
    bool mem;

    memset(c, 0, sizeof(*c));
    mem = f->mode == 2 || (f->mode == 0 && g_rand_int_range(rng, 0, 3) == 0);
    do {
        reg = g_rand_int_range(rng, 0, 16);
    } while (reg == R_ESP || reg == R_EBX || (mem && reg == R_ESI));
    do {
        rm = g_rand_int_range(rng, 0, 16);
    } while (rm == R_ESP || rm == R_EBX);
    if (f->digit >= 0) {
        reg = f->digit;
    }
    if (f->pfx) {
        c->insn[n++] = f->pfx;
    }
    if (reg & 8) {
        rex |= 4;
    }
    if (!mem && (rm & 8)) {
        rex |= 1;
    }
    if (f->rexw && g_rand_boolean(rng)) {
        rex |= 8;
    }
    if (rex) {
        c->insn[n++] = 0x40 | rex;
    }
    c->insn[n++] = 0x0f;
    c->insn[n++] = f->op;
    if (mem) {
        if (g_rand_int_range(rng, 0, 4)) {
            c->insn[n++] = 0x40 | (reg & 7) << 3 | 3;   /* [rbx+d8] */
            c->insn[n++] = (uint8_t)(g_rand_int_range(rng, -2, 3) * 16);
        } else {
            c->insn[n++] = 0x40 | (reg & 7) << 3 | 3;
            c->insn[n++] = (uint8_t)g_rand_int_range(rng, -32, 32);
        }
    } else {
        c->insn[n++] = 0xc0 | (reg & 7) << 3 | (rm & 7);
    }
    if (f->imm) {
        uint8_t v = g_rand_int(rng);
        if (f->imm_mask) {
            v &= f->imm_mask;
        }
        if (f->op >= 0x71 && f->op <= 0x73 && g_rand_boolean(rng)) {
            v &= 0x1f;
        }
        c->insn[n++] = v;
    }
    c->len = n;
    c->mem = mem;
    c->ptr = mem;
    for (i = 0; i < 16; i++) {
        c->regs[i] = rnd_val();
        c->xmm[i].q[0] = rnd_lane();
        c->xmm[i].q[1] = rnd_lane();
    }
    if (!mem && g_rand_boolean(rng)) {
        c->xmm[rm] = c->xmm[reg];       /* equal operands */
    }
    if ((f->op == 0xd1 || f->op == 0xd2 || f->op == 0xd3 || f->op == 0xe1 ||
         f->op == 0xe2 || f->op == 0xf1 || f->op == 0xf2 || f->op == 0xf3) &&
        !mem) {
        c->xmm[rm].q[0] = g_rand_int_range(rng, 0, 70);
    }
    c->regs[R_ESI] = g_rand_int_range(rng, 0, 8);
    c->regs[R_ESP] = 0;
    c->regs[R_EBX] = BUF_PTR_OFF;
    c->flags = (g_rand_int(rng) & CC_ALL) | 2;
    for (i = 0; i < BUF_SIZE; i += 8) {
        uint64_t v = rnd_lane();
        memcpy(c->buf + i, &v, 8);
    }
    return true;
}

static void test_sse_forms(void)
{
    const char *cs = g_getenv("X86_DIFF_CASES");
    unsigned ncases = cs ? atoi(cs) : 300;
    unsigned fi, k, failures = 0;
    uint64_t ncmp = 0;

    for (fi = 0; fi < G_N_ELEMENTS(sse_forms); fi++) {
        const SseForm *f = &sse_forms[fi];
        for (k = 0; k < ncases; k++) {
            Case c;
            NState n, e;
            int rn, re, i;
            bool bad = false;

            build_sse_case(f, &c);
            rn = run_native(&c, &n);
            re = run_emu(&c, &e);
            ncmp++;
            if (rn != re) {
                bad = true;
            } else if (rn < 0) {
                if ((n.flags ^ e.flags) & (CC_ALL | DF_MASK)) {
                    bad = true;
                }
                for (i = 0; i < 16; i++) {
                    if ((i != R_ESP && n.r[i] != e.r[i]) ||
                        memcmp(&n.xmm[i], &e.xmm[i], 16)) {
                        bad = true;
                    }
                }
                if (memcmp(native_buf, machine.host + GUEST_BUF, BUF_SIZE)) {
                    g_printerr("memory differs\n");
                    bad = true;
                }
            }
            if (bad) {
                Form pf = { .name = f->name };
                dump_case(&pf, &c, &n, &e, rn, re);
                for (i = 0; i < 16; i++) {
                    if (memcmp(&n.xmm[i], &e.xmm[i], 16)) {
                        g_printerr(" xmm%-2d in %016" PRIx64 "%016" PRIx64
                                   " native %016" PRIx64 "%016" PRIx64
                                   " emu %016" PRIx64 "%016" PRIx64 "\n",
                                   i, c.xmm[i].q[1], c.xmm[i].q[0],
                                   n.xmm[i].q[1], n.xmm[i].q[0],
                                   e.xmm[i].q[1], e.xmm[i].q[0]);
                    }
                }
                if (++failures > 10) {
                    g_assert_not_reached();
                }
                break;
            }
        }
    }
    g_printerr("# %" PRIu64 " cases over %zu SSE forms\n", ncmp,
               G_N_ELEMENTS(sse_forms));
    g_assert_cmpuint(failures, ==, 0);
}

/* String instructions with and without REP, both directions */
static const uint8_t str_ops[] = {
    0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
};

static void build_str_case(Case *c)
{
    int n = 0, i;
    uint8_t op = str_ops[g_rand_int_range(rng, 0, G_N_ELEMENTS(str_ops))];
    int size = g_rand_int_range(rng, 0, 4);

    memset(c, 0, sizeof(*c));
    switch (g_rand_int_range(rng, 0, 3)) {
    case 1:
        c->insn[n++] = 0xf3;
        break;
    case 2:
        c->insn[n++] = 0xf2;
        break;
    default:
        break;
    }
    if ((op & 1) && size == 1) {
        c->insn[n++] = 0x66;
    }
    if ((op & 1) && size == 3) {
        c->insn[n++] = 0x48;
    }
    c->insn[n++] = op;
    c->len = n;
    c->str = true;
    for (i = 0; i < 16; i++) {
        c->regs[i] = rnd_val();
    }
    c->regs[R_ECX] = g_rand_int_range(rng, 0, 12);
    if (g_rand_int_range(rng, 0, 4) == 0) {
        c->regs[R_ECX] = g_rand_int_range(rng, 0, 16);
    }
    /* 15 elements of 8 bytes fit either way inside the buffer */
    c->regs[R_ESI] = g_rand_int_range(rng, 120, 136);
    c->regs[R_EDI] = g_rand_int_range(rng, 120, 136);
    c->regs[R_ESP] = 0;
    c->flags = (g_rand_int(rng) & CC_ALL) | 2 |
               (g_rand_int_range(rng, 0, 3) == 0 ? DF_MASK : 0);
    for (i = 0; i < BUF_SIZE; i++) {
        /* few distinct values so that repe/repne stop at varied places */
        c->buf[i] = g_rand_int_range(rng, 0, 3);
    }
    c->regs[R_EAX] = g_rand_int_range(rng, 0, 3) * 0x0101010101010101ULL;
}

static void test_string_forms(void)
{
    const char *cs = g_getenv("X86_DIFF_CASES");
    unsigned ncases = (cs ? atoi(cs) : 300) * 10;
    unsigned k, failures = 0;

    for (k = 0; k < ncases; k++) {
        Case c;
        NState n, e;
        int rn, re, i;
        bool bad = false;

        build_str_case(&c);
        rn = run_native(&c, &n);
        re = run_emu(&c, &e);
        if (rn != re) {
            bad = true;
        } else if (rn < 0) {
            bool cmp = (c.insn[c.len - 1] & 0xfe) == 0xa6 ||
                       (c.insn[c.len - 1] & 0xfe) == 0xae;
            /* flags are defined only if an iteration compared */
            if (cmp && c.regs[R_ECX] &&
                ((n.flags ^ e.flags) & CC_ALL)) {
                bad = true;
            }
            if ((n.flags ^ e.flags) & DF_MASK) {
                bad = true;
            }
            for (i = 0; i < 16; i++) {
                if (i != R_ESP && n.r[i] != e.r[i]) {
                    bad = true;
                }
            }
            if (memcmp(native_buf, machine.host + GUEST_BUF, BUF_SIZE)) {
                g_printerr("memory differs\n");
                bad = true;
            }
        }
        if (bad) {
            Form pf = { .name = "string" };
            dump_case(&pf, &c, &n, &e, rn, re);
            if (++failures > 10) {
                break;
            }
        }
    }
    g_printerr("# %u string cases\n", ncases);
    g_assert_cmpuint(failures, ==, 0);
}

int main(int argc, char **argv)
{
    const char *seed_env = g_getenv("X86_DIFF_SEED");
    guint32 seed = seed_env ? strtoul(seed_env, NULL, 0) : 0x7a4d3e;
    int r;

    g_test_init(&argc, &argv, NULL);
    g_printerr("# X86_DIFF_SEED=0x%x\n", seed);
    rng = g_rand_new_with_seed(seed);
    setup_native();
    setup_guest();
    xt_add_func_jit(&machine, "/x86/diff/integer", test_forms);
    xt_add_func_jit(&machine, "/x86/diff/sse", test_sse_forms);
    xt_add_func_jit(&machine, "/x86/diff/string", test_string_forms);
    r = g_test_run();
    xt_cleanup(&machine);
    g_rand_free(rng);
    return r;
}
