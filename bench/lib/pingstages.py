"""Splits ping round trips over a tunnel into its four hops, from kernel tracepoints (bench/fairdiag.sh, TRACE=1).

Input: a tracefs trace of net:net_dev_start_xmit and net:netif_receive_skb, filtered to small packets. A ping starts
when A's kernel hands the echo request to A's tunnel device (xmit on tunA, inner length 84) and goes:
  A send  tunA xmit (request into A's TUN)     -> vethA xmit (A's daemon sent the encrypted request)
  B recv  vethA xmit                            -> tunB receive (B's daemon wrote the request to its TUN)
  B send  tunB xmit (B's echo reply into B's TUN) -> vethB xmit (B's daemon sent it)
  A recv  vethB xmit                            -> tunA receive (A's daemon wrote the reply to its TUN)
Outer packets are recognised by size (84 inner bytes padded to 96, + 32 + UDP/IP 28 = 156, + 14 on the veth xmit).
Pings are taken one at a time in order, so the ping interval must exceed the round trip (it does at 50 ms).

Usage: python3 pingstages.py TRACE tunA vethA tunB vethB
"""
import statistics
import sys

import pingtrace

path, tun_a, veth_a, tun_b, veth_b = sys.argv[1:6]
with open(path) as f:
    pings = pingtrace.pings(f, tun_a, veth_a, tun_b, veth_b)
hops = [("a_in", "a_out", "A send"), ("a_out", "b_in", "B recv"), ("b_in", "b_out", "B send"),
        ("b_out", "a_back", "A recv"), ("a_in", "a_back", "round trip")]
for start, end, name in hops:
    ms = sorted((p[end] - p[start]) * 1000 for p in pings if start in p and end in p and p[end] >= p[start])
    if ms:
        print("    %-10s n=%4d median %6.2f  p90 %6.2f  p99 %6.2f  max %6.2f ms" % (
            name, len(ms), statistics.median(ms), ms[int(.9 * len(ms))], ms[min(len(ms) - 1, int(.99 * len(ms)))], ms[-1]))
    else:
        print("    %-10s no complete pings in the trace" % name)
