"""For the slowest pings of a kept trace (bench/fairdiag.sh TRACE=1 TRACE_KEEP=FILE): when a daemon's thread got and
left a CPU during the ping's hop, and who ran instead. Shows whether a slow hop was spent preempted (state R), asleep
(S: waiting, or stopped for a garbage collection) or running (no switches at all).

Usage: python3 slowhops.py TRACE A|B THREAD [N]
  A: the "A send" hop (request into A's TUN -> out of A's veth); B: the "B recv" hop (out of A's veth -> into B's TUN)
  THREAD: part of the thread's name as the kernel shows it (15 characters), e.g. fdA1b2c3d1-t for A's TUN reader
  N: how many of the slowest pings (default 6)
Each line: milliseconds from the hop's start, CPU, the thread leaving [its state, kernel priority: 98 is SCHED_FIFO 1,
120 ordinary] -> the thread taking the CPU.
"""
import re
import sys

import pingtrace

path, which, thread = sys.argv[1:4]
count = int(sys.argv[4]) if len(sys.argv) > 4 else 6
switch = re.compile(r"\[(\d+)\].*?\s(\d+\.\d+): sched_switch: prev_comm=(.*?) prev_pid=\d+ prev_prio=(\d+) "
                    r"prev_state=(\S+) ==> next_comm=(.*?) next_pid=\d+ next_prio=(\d+)")
switches, packets, devices = [], [], set()
for raw in open(path):
    m = switch.search(raw)
    if m:
        switches.append((float(m.group(2)), int(m.group(1)), m.group(3), m.group(5), m.group(4), m.group(6), m.group(7)))
        continue
    packets.append(raw)
    m = pingtrace.NET.search(raw)
    if m:
        devices.add(m.group(3))
tun_a = next(d for d in devices if d.startswith("fdA"))
tun_b = next(d for d in devices if d.startswith("fdB"))
veth_a = next(d for d in devices if d.startswith("da"))
veth_b = next(d for d in devices if d.startswith("db"))
pings = pingtrace.pings(packets, tun_a, veth_a, tun_b, veth_b)
start, end = ("a_in", "a_out") if which == "A" else ("a_out", "b_in")
done = [p for p in pings if start in p and end in p]
for p in sorted(done, key=lambda p: p[end] - p[start])[-count:]:
    t0, t1 = p[start], p[end]
    print("hop %.2f ms at %.6f" % ((t1 - t0) * 1e3, t0))
    for t, cpu, prev, state, prev_prio, nxt, next_prio in switches:
        if t0 - 0.001 <= t <= t1 and (thread in prev or thread in nxt):
            print("   %+8.3f cpu%d %s[%s %s] -> %s[%s]" % ((t - t0) * 1e3, cpu, prev, state, prev_prio, nxt, next_prio))
