package radiocheck

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Generic netlink and nl80211 numbers (linux/netlink.h, linux/genetlink.h,
// linux/nl80211.h). They are kernel ABI and never change.
const (
	nlmsgError = 2
	nlmsgDone  = 3

	nlmFRequest = 0x1
	nlmFAck     = 0x4

	genlIDCtrl         = 0x10
	ctrlCmdGetFamily   = 3
	ctrlAttrFamilyID   = 1
	ctrlAttrFamilyName = 2

	nl80211CmdReqSetReg  = 27
	nl80211CmdGetReg     = 31
	nl80211AttrRegAlpha2 = 33

	nlmsgHdrLen  = 16
	genlHdrLen   = 4
	nlaHdrLen    = 4
	nlAlign      = 4
	genlVersion1 = 1
)

var errShort = errors.New("radiocheck: short netlink message")

func align(n int) int { return (n + nlAlign - 1) &^ (nlAlign - 1) }

// attr is one netlink attribute.
type attr struct {
	typ  uint16
	data []byte
}

// stringAttr is a NUL-terminated string attribute (NLA_PUT_STRING).
func stringAttr(typ uint16, s string) attr { return attr{typ, append([]byte(s), 0)} }

func encodeAttrs(attrs []attr) []byte {
	var b []byte
	for _, a := range attrs {
		n := nlaHdrLen + len(a.data)
		h := make([]byte, nlaHdrLen)
		binary.NativeEndian.PutUint16(h[0:2], uint16(n))
		binary.NativeEndian.PutUint16(h[2:4], a.typ)
		b = append(b, h...)
		b = append(b, a.data...)
		b = append(b, make([]byte, align(n)-n)...)
	}
	return b
}

func decodeAttrs(b []byte) ([]attr, error) {
	var out []attr
	for len(b) >= nlaHdrLen {
		n := int(binary.NativeEndian.Uint16(b[0:2]))
		if n < nlaHdrLen || n > len(b) {
			return out, fmt.Errorf("attribute length %d of %d bytes: %w", n, len(b), errShort)
		}
		// The top bits of the type are the nested and byte-order flags.
		out = append(out, attr{typ: binary.NativeEndian.Uint16(b[2:4]) & 0x3fff, data: b[nlaHdrLen:n]})
		if align(n) >= len(b) {
			break
		}
		b = b[align(n):]
	}
	return out, nil
}

// encodeGenl builds one generic netlink request.
func encodeGenl(family, flags uint16, seq uint32, cmd uint8, attrs []attr) []byte {
	body := encodeAttrs(attrs)
	b := make([]byte, nlmsgHdrLen+genlHdrLen, nlmsgHdrLen+genlHdrLen+len(body))
	binary.NativeEndian.PutUint32(b[0:4], uint32(nlmsgHdrLen+genlHdrLen+len(body)))
	binary.NativeEndian.PutUint16(b[4:6], family)
	binary.NativeEndian.PutUint16(b[6:8], flags)
	binary.NativeEndian.PutUint32(b[8:12], seq)
	// b[12:16]: port id 0, the kernel fills it in.
	b[16] = cmd
	b[17] = genlVersion1
	return append(b, body...)
}

// message is one received netlink message.
type message struct {
	typ     uint16
	seq     uint32
	payload []byte // after the netlink header
}

func decodeMessages(b []byte) ([]message, error) {
	var out []message
	for len(b) >= nlmsgHdrLen {
		n := int(binary.NativeEndian.Uint32(b[0:4]))
		if n < nlmsgHdrLen || n > len(b) {
			return out, fmt.Errorf("message length %d of %d bytes: %w", n, len(b), errShort)
		}
		out = append(out, message{
			typ:     binary.NativeEndian.Uint16(b[4:6]),
			seq:     binary.NativeEndian.Uint32(b[8:12]),
			payload: b[nlmsgHdrLen:n],
		})
		if align(n) >= len(b) {
			break
		}
		b = b[align(n):]
	}
	return out, nil
}

// errnoOf returns the error code of an NLMSG_ERROR payload (0 is an ack).
func errnoOf(payload []byte) (int32, error) {
	if len(payload) < 4 {
		return 0, errShort
	}
	return int32(binary.NativeEndian.Uint32(payload[0:4])), nil
}

// genlAttrs returns the attributes of a generic netlink reply payload.
func genlAttrs(payload []byte) ([]attr, error) {
	if len(payload) < genlHdrLen {
		return nil, errShort
	}
	return decodeAttrs(payload[genlHdrLen:])
}

// familyID finds CTRL_ATTR_FAMILY_ID in a CTRL_CMD_GETFAMILY reply.
func familyID(payload []byte) (uint16, error) {
	attrs, err := genlAttrs(payload)
	if err != nil {
		return 0, err
	}
	for _, a := range attrs {
		if a.typ == ctrlAttrFamilyID && len(a.data) >= 2 {
			return binary.NativeEndian.Uint16(a.data), nil
		}
	}
	return 0, errors.New("radiocheck: no family id in the controller's reply")
}

// alpha2 finds NL80211_ATTR_REG_ALPHA2 in a GET_REG reply.
func alpha2(payload []byte) (string, bool) {
	attrs, err := genlAttrs(payload)
	if err != nil {
		return "", false
	}
	for _, a := range attrs {
		if a.typ == nl80211AttrRegAlpha2 {
			s := a.data
			for len(s) > 0 && s[len(s)-1] == 0 {
				s = s[:len(s)-1]
			}
			return string(s), true
		}
	}
	return "", false
}
