/*
 * COLO participant interface.
 *
 * The COLO machinery (migration/colo.c, the checkpoint and failover
 * driver) and the things that take part in a checkpoint (colo-compare,
 * filter-rewriter, block replication) talk only through this header, so
 * net/ and block/ never include migration internals:
 *
 *   participant                     COLO machinery
 *   -----------                     --------------
 *   colo_participant_register() --> registry (migration/colo-participant.c)
 *   colo_notify_checkpoint_request(reason)
 *                               --> handler installed by
 *                                   colo_set_checkpoint_request_handler()
 *   ops->checkpoint(opaque)     <-- colo_participants_checkpoint()
 *   ops->failover(opaque)       <-- colo_participants_failover()
 *   ops->get_error(opaque)      <-- colo_participants_get_error()
 *
 * All functions are thread-safe.  Callbacks run in the dispatching thread
 * with the registry's (recursive) lock held: register/unregister from
 * other threads wait for the dispatch to end, and a callback may itself
 * register or unregister participants.
 */
#ifndef MIGRATION_COLO_H
#define MIGRATION_COLO_H

#include "qapi/error.h"

/* Why a participant asks for a checkpoint. */
typedef enum ColoCheckpointReason {
    COLO_CHECKPOINT_REASON_MISCOMPARE,  /* PVM and SVM output differ */
    COLO_CHECKPOINT_REASON_TIMEOUT,     /* a packet waited too long */
    COLO_CHECKPOINT_REASON_QUEUE_FULL,  /* a proxy queue overflowed */
    COLO_CHECKPOINT_REASON_PERIODIC,    /* the x-checkpoint-delay timer */
    COLO_CHECKPOINT_REASON_EXTERNAL,    /* e.g. a Xen notify_dev message */
    COLO_CHECKPOINT_REASON__MAX,
} ColoCheckpointReason;

/** colo_checkpoint_reason_str: a short lower-case name for traces. */
const char *colo_checkpoint_reason_str(ColoCheckpointReason reason);

typedef struct ColoParticipantOps {
    const char *name;
    /* a checkpoint has been taken; e.g. colo-compare flushes its queues */
    void (*checkpoint)(void *opaque);
    /* this side now runs alone */
    void (*failover)(void *opaque);
    /* returns false and sets @errp if the participant is broken */
    bool (*get_error)(void *opaque, Error **errp);
} ColoParticipantOps;

typedef struct ColoParticipant ColoParticipant;

/**
 * colo_participant_register: adds a participant; any op may be NULL.
 * @ops must stay valid until unregistered.
 * Returns: a handle for colo_participant_unregister().
 */
ColoParticipant *colo_participant_register(const ColoParticipantOps *ops,
                                           void *opaque);

/**
 * colo_participant_unregister: removes @p.  When it returns, no callback
 * of @p runs in another thread any more.  NULL is ignored.
 */
void colo_participant_unregister(ColoParticipant *p);

/** colo_participants_count: the number of registered participants. */
unsigned colo_participants_count(void);

/** colo_participants_checkpoint: calls every ->checkpoint, in order. */
void colo_participants_checkpoint(void);

/** colo_participants_failover: calls every ->failover, in order. */
void colo_participants_failover(void);

/**
 * colo_participants_get_error: asks every participant; stops at the
 * first failure.
 * Returns: false (with @errp set, prefixed by the participant's name) if
 * one reported an error.
 */
bool colo_participants_get_error(Error **errp);

/**
 * ColoCheckpointRequestFn: the COLO machinery's handler for checkpoint
 * requests; called in the requester's thread, so it should only post.
 */
typedef void ColoCheckpointRequestFn(void *opaque,
                                     ColoCheckpointReason reason);

/**
 * colo_set_checkpoint_request_handler: installs (or with @fn NULL,
 * removes) the handler.  Only one handler exists.
 */
void colo_set_checkpoint_request_handler(ColoCheckpointRequestFn *fn,
                                         void *opaque);

/**
 * colo_notify_checkpoint_request: a participant asks for a checkpoint.
 * Returns: false if no handler is installed (not in COLO mode).
 */
bool colo_notify_checkpoint_request(ColoCheckpointReason reason);

#endif
