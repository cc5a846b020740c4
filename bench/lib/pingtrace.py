"""Pings over a tunnel, recognised in a tracefs trace of net:net_dev_start_xmit and net:netif_receive_skb (filtered
to small packets; bench/fairdiag.sh TRACE=1). Used by pingstages.py and slowhops.py.

A ping starts when A's kernel hands the echo request to A's tunnel device (xmit on tunA, inner length 84) and passes:
  a_in   tunA xmit (request into A's TUN)      a_out  vethA xmit (A's daemon sent the encrypted request)
  b_in   tunB receive (B's daemon wrote it)    b_out  vethB xmit (B's daemon sent the encrypted reply)
  a_back tunA receive (A's daemon wrote the reply)
Outer packets are recognised by size (84 inner bytes padded to 96, + 32 + UDP/IP 28 = 156, + 14 on the veth xmit).
Pings are taken one at a time in order, so the ping interval must exceed the round trip (it does at 50 ms).
"""
import re

NET = re.compile(r"\s(\d+\.\d+): (net_dev_start_xmit|netif_receive_skb): dev=(\S+) .*?\blen=(\d+)")


def pings(lines, tun_a, veth_a, tun_b, veth_b):
    """The pings in trace lines: a list of dicts from the stage names above to trace timestamps (seconds)."""
    found, cur = [], None
    for raw in lines:
        m = NET.search(raw)
        if not m:
            continue
        t, xmit, dev, length = float(m.group(1)), m.group(2) == "net_dev_start_xmit", m.group(3), int(m.group(4))
        if xmit and dev == tun_a and length == 84:
            cur = {"a_in": t}
            found.append(cur)
        elif cur is None:
            continue
        elif xmit and dev == veth_a and length == 170:
            cur.setdefault("a_out", t)
        elif not xmit and dev == tun_b and length == 84:
            cur.setdefault("b_in", t)
        elif xmit and dev == veth_b and length == 170:
            cur.setdefault("b_out", t)
        elif not xmit and dev == tun_a and length == 84:
            cur.setdefault("a_back", t)
    return found
