/*
 * Backend constructors called by net_client_init() (net/net.c), one per
 * -netdev type.  Each creates its NetClientState(s) or fails with a
 * one-phrase error.
 */
#ifndef NET_CLIENTS_H
#define NET_CLIENTS_H

#include "net/net.h"

bool net_init_user(const Netdev *netdev, const char *name, Error **errp);
bool net_init_tap(const Netdev *netdev, const char *name, Error **errp);
bool net_init_socket(const Netdev *netdev, const char *name, Error **errp);
bool net_init_hubport(const Netdev *netdev, const char *name, Error **errp);

/* "info network" of the hubs (net/hub.c); "" when there is none. */
void net_hub_info(GString *out);
/* True if @nc is a hub port or the peer of one (printed by the hub). */
bool net_hub_owns(NetClientState *nc);
/* Prints @nc ("NAME: index=0,type=T,INFO" and its filters). */
void net_print_client(GString *out, NetClientState *nc);

#endif
