/*
 * HMP commands of the network layer: info network, netdev_add,
 * netdev_del, set_link.  Registered from a constructor (see
 * monitor/monitor-internal.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-net.h"
#include "monitor/monitor-internal.h"
#include "net/net.h"

static void hmp_info_network(Monitor *mon, int argc, char **argv)
{
    g_autofree char *text = net_info_text();

    monitor_puts(mon, text);
}

static void hmp_netdev_add(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;

    netdev_add_now(argv[0], &err);
    hmp_handle_error(mon, err);
}

static void hmp_netdev_del(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;

    qmp_netdev_del(argv[0], &err);
    hmp_handle_error(mon, err);
}

static void hmp_set_link(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;
    bool up;

    if (!hmp_parse_on_off(mon, "set_link", argv[1], &up)) {
        return;
    }
    qemu_set_link(argv[0], up, &err);
    hmp_handle_error(mon, err);
}

static const HMPCommand hmp_net_cmds[] = {
    { "netdev_add", "[user|tap|socket|hubport],id=str[,prop=value][,...]",
      "add host network device", 1, 1, true, hmp_netdev_add },
    { "netdev_del", "id", "remove host network device", 1, 1, false,
      hmp_netdev_del },
    { "set_link", "name on|off",
      "change the link status of a network adapter", 2, 2, false,
      hmp_set_link },
    { NULL },
};

static const HMPCommand hmp_net_info_cmds[] = {
    { "network", "", "show the network state", 0, 0, false,
      hmp_info_network },
    { NULL },
};

static void hmp_net_init(void) __attribute__((constructor));
static void hmp_net_init(void)
{
    hmp_register_commands(hmp_net_cmds, hmp_net_info_cmds);
}
