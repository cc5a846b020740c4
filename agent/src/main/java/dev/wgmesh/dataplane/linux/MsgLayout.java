package dev.wgmesh.dataplane.linux;

/**
 * Offsets inside {@link NativeContext#msg}, the per-thread area recvmsg/sendmsg work in.
 *
 * <pre>
 *   0   struct msghdr      (56)  msg_name → NAME, msg_iov → IOV, msg_control → CONTROL
 *   56  struct iovec       (16)  base → NativeContext.io
 *   72  struct sockaddr_in6 (28) peer address (IPv4 peers arrive v4-mapped on the dual-stack socket)
 *   104 control buffer     (128) IP_PKTINFO / IPV6_PKTINFO cmsgs
 * </pre>
 */
final class MsgLayout {
    private MsgLayout() {}

    static final long HDR = 0;
    static final long IOV = 56;
    static final long NAME = 72;
    static final long CONTROL = 104;
    static final long CONTROL_SIZE = 128;
    static final long SIZE = CONTROL + CONTROL_SIZE;
}
