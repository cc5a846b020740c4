"""Sets an EEVDF slice (sched_setattr's sched_runtime, Linux 6.12+) on threads, keeping their policy SCHED_OTHER.

Usage: python3 slice.py SLICE_NS TID...   (an experiment knob of bench/fairdiag.sh, SLICE_US)
"""
import ctypes
import os
import struct
import sys

SYS_SCHED_SETATTR = 314  # x86_64
libc = ctypes.CDLL(None, use_errno=True)
slice_ns = int(sys.argv[1])
for tid in sys.argv[2:]:
    nice = os.getpriority(os.PRIO_PROCESS, int(tid))
    # struct sched_attr, first version (48 bytes): size, policy, flags, nice, priority, runtime, deadline, period
    attr = ctypes.create_string_buffer(struct.pack("IIQiIQQQ", 48, 0, 0, nice, 0, slice_ns, 0, 0), 48)
    if libc.syscall(SYS_SCHED_SETATTR, int(tid), attr, 0) != 0:
        print("slice.py: sched_setattr %s: %s" % (tid, os.strerror(ctypes.get_errno())), file=sys.stderr)
