package radiocheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// nl80211 speaks to the kernel's nl80211 generic netlink family directly:
// one socket per call, closed afterwards (calls are rare: start, reload).
type nl80211 struct{}

// defaultTimeout bounds a call whose context has no deadline.
const defaultTimeout = 2 * time.Second

type nlconn struct {
	fd  int
	seq uint32
}

func dial(ctx context.Context) (*nlconn, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.NETLINK_GENERIC)
	if err != nil {
		return nil, fmt.Errorf("%w: generic netlink socket: %v", ErrNoNL80211, err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("bind generic netlink socket: %w", err)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultTimeout)
	}
	left := time.Until(deadline)
	if left <= 0 {
		syscall.Close(fd)
		return nil, context.DeadlineExceeded
	}
	tv := syscall.NsecToTimeval(left.Nanoseconds())
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("set netlink timeout: %w", err)
	}
	return &nlconn{fd: fd, seq: uint32(time.Now().Unix())}, nil
}

func (c *nlconn) close() { syscall.Close(c.fd) }

// request sends one request with NLM_F_ACK and returns the replies' payloads
// that came before the ack. An NLMSG_ERROR becomes a syscall.Errno.
func (c *nlconn) request(ctx context.Context, family uint16, cmd uint8, attrs []attr) ([][]byte, error) {
	c.seq++
	seq := c.seq
	req := encodeGenl(family, nlmFRequest|nlmFAck, seq, cmd, attrs)
	if err := syscall.Sendto(c.fd, req, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("netlink send: %w", err)
	}
	var replies [][]byte
	buf := make([]byte, 64<<10)
	for {
		n, _, err := syscall.Recvfrom(c.fd, buf, 0)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK) {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("netlink: no answer: %w", os.ErrDeadlineExceeded)
		}
		if err != nil {
			return nil, fmt.Errorf("netlink receive: %w", err)
		}
		msgs, err := decodeMessages(buf[:n])
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if m.seq != seq {
				continue // a late answer to an earlier request
			}
			switch m.typ {
			case nlmsgError:
				code, err := errnoOf(m.payload)
				if err != nil {
					return nil, err
				}
				if code != 0 {
					return nil, syscall.Errno(-code)
				}
				return replies, nil
			case nlmsgDone:
				return replies, nil
			default:
				replies = append(replies, append([]byte(nil), m.payload...))
			}
		}
	}
}

func (c *nlconn) family(ctx context.Context, name string) (uint16, error) {
	replies, err := c.request(ctx, genlIDCtrl, ctrlCmdGetFamily, []attr{stringAttr(ctrlAttrFamilyName, name)})
	if errors.Is(err, syscall.ENOENT) {
		return 0, fmt.Errorf("%w: no %s family in this kernel (no WiFi driver loaded)", ErrNoNL80211, name)
	}
	if err != nil {
		return 0, fmt.Errorf("resolve %s: %w", name, err)
	}
	for _, r := range replies {
		if id, err := familyID(r); err == nil {
			return id, nil
		}
	}
	return 0, fmt.Errorf("resolve %s: no family id in the answer", name)
}

func (nl80211) Country(ctx context.Context) (string, error) {
	c, err := dial(ctx)
	if err != nil {
		return "", err
	}
	defer c.close()
	fam, err := c.family(ctx, "nl80211")
	if err != nil {
		return "", err
	}
	replies, err := c.request(ctx, fam, nl80211CmdGetReg, nil)
	if err != nil {
		return "", fmt.Errorf("nl80211 get regulatory domain: %w", err)
	}
	for _, r := range replies {
		if a, ok := alpha2(r); ok {
			return a, nil
		}
	}
	return "", errors.New("nl80211 get regulatory domain: no country in the answer")
}

func (nl80211) RequestCountry(ctx context.Context, a2 string) error {
	c, err := dial(ctx)
	if err != nil {
		return err
	}
	defer c.close()
	fam, err := c.family(ctx, "nl80211")
	if err != nil {
		return err
	}
	_, err = c.request(ctx, fam, nl80211CmdReqSetReg, []attr{stringAttr(nl80211AttrRegAlpha2, a2)})
	if errors.Is(err, syscall.EPERM) {
		return fmt.Errorf("nl80211 request regulatory domain: %w (it needs root with CAP_NET_ADMIN)", err)
	}
	if err != nil {
		return fmt.Errorf("nl80211 request regulatory domain: %w", err)
	}
	return nil
}
