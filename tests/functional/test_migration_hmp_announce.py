"""HMP announce_self [interfaces] [id] (QEMU 7.2): announce-self with the
announce-* migration parameters, driven through human-monitor-command.

    tiny pc guest (hlt loop) -- virtio-net-pci nic0 -- socket s1 -udp-> python
"""
from test_net_announce import (RARP, collect, idle_kernel, nic_args,  # noqa
                               qmp_of, rarps, udp_sink)


def hmp(c, line):
    return c.command('human-monitor-command', command_line=line)


def set_timing(c, initial, mx, rounds, step):
    for name, v in (('announce-initial', initial), ('announce-max', mx),
                    ('announce-rounds', rounds), ('announce-step', step)):
        assert hmp(c, 'migrate_set_parameter %s %d' % (name, v)) == ''


def test_hmp_announce_self_uses_migration_parameters(vm_factory,
                                                     idle_kernel):
    sink = udp_sink()
    vm = vm_factory(nic_args(idle_kernel, sink)).launch()
    c = qmp_of(vm)
    assert 'announce_self [interfaces] [id] -- Trigger GARP/RARP ' \
        'announcements' in hmp(c, 'help announce_self')
    set_timing(c, 50, 100, 3, 30)
    assert hmp(c, 'announce_self') == ''
    got = rarps(collect(sink, 1.5))
    assert [d for _, d in got] == [RARP] * 3
    # round 0 at once, then the parameters' gaps of 50 and 80 ms
    assert got[1][0] - got[0][0] >= 0.045
    assert got[2][0] - got[1][0] >= 0.075


def test_hmp_announce_self_interfaces_and_id(vm_factory, idle_kernel):
    sink = udp_sink()
    vm = vm_factory(nic_args(idle_kernel, sink)).launch()
    c = qmp_of(vm)
    set_timing(c, 10, 50, 2, 10)

    # a list without our NIC announces nothing
    assert hmp(c, 'announce_self nosuch,other') == ''
    assert rarps(collect(sink, 0.5)) == []
    # a comma-separated list naming it, with an id
    assert hmp(c, 'announce_self nosuch,nic0 a') == ''
    assert len(rarps(collect(sink, 0.8))) == 2

    # the id names the announcement: rounds 0 through the parameters
    # cancels it, as announce-self does
    set_timing(c, 2000, 2000, 5, 1)
    assert hmp(c, 'announce_self nic0 b') == ''
    set_timing(c, 10, 10, 0, 1)
    assert hmp(c, 'announce_self nic0 b') == ''
    assert len(rarps(collect(sink, 2.5))) == 1

    out = hmp(c, 'announce_self nic0 b extra')
    assert 'announce_self: extraneous characters at the end of line' in out
    assert rarps(collect(sink, 0.3)) == []
