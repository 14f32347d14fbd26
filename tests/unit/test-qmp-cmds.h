/* Shared by test-qmp-dispatch.c and test-qmp-session.c. */
#ifndef TEST_QMP_CMDS_H
#define TEST_QMP_CMDS_H

/* enum1 of the last cmd-boxed call */
extern int test_boxed_last_enum;

#endif
