package radiocheck

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func littleEndian() bool { return binary.NativeEndian.Uint16([]byte{1, 0}) == 1 }

func TestEncodeGetFamily(t *testing.T) {
	if !littleEndian() {
		t.Log("big-endian host: checking the round trip only")
	}
	got := encodeGenl(genlIDCtrl, nlmFRequest|nlmFAck, 7, ctrlCmdGetFamily, []attr{stringAttr(ctrlAttrFamilyName, "nl80211")})
	want := []byte{
		32, 0, 0, 0, // length: 16 + 4 + 12
		0x10, 0, // GENL_ID_CTRL
		5, 0, // NLM_F_REQUEST|NLM_F_ACK
		7, 0, 0, 0, // seq
		0, 0, 0, 0, // port id
		3, 1, 0, 0, // CTRL_CMD_GETFAMILY, version 1
		12, 0, 2, 0, 'n', 'l', '8', '0', '2', '1', '1', 0, // CTRL_ATTR_FAMILY_NAME "nl80211\0"
	}
	if littleEndian() {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("request bytes (-want +got):\n%s", diff)
		}
	}
	msgs, err := decodeMessages(got)
	if err != nil || len(msgs) != 1 || msgs[0].typ != genlIDCtrl || msgs[0].seq != 7 {
		t.Fatalf("decode own request: %+v, %v", msgs, err)
	}
	attrs, err := genlAttrs(msgs[0].payload)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]attr{{ctrlAttrFamilyName, []byte("nl80211\x00")}}, attrs, cmp.AllowUnexported(attr{})); diff != "" {
		t.Errorf("attrs (-want +got):\n%s", diff)
	}
}

// reply builds a kernel answer: messages back to back.
func reply(msgs ...[]byte) []byte { return bytes.Join(msgs, nil) }

func ack(seq uint32, errno int32) []byte {
	b := make([]byte, nlmsgHdrLen+4+nlmsgHdrLen)
	binary.NativeEndian.PutUint32(b[0:4], uint32(len(b)))
	binary.NativeEndian.PutUint16(b[4:6], nlmsgError)
	binary.NativeEndian.PutUint32(b[8:12], seq)
	binary.NativeEndian.PutUint32(b[16:20], uint32(errno))
	return b
}

func TestDecodeReplies(t *testing.T) {
	u16 := make([]byte, 2)
	binary.NativeEndian.PutUint16(u16, 0x1c)
	family := encodeGenl(genlIDCtrl, 0, 9, 1, []attr{stringAttr(ctrlAttrFamilyName, "nl80211"), {ctrlAttrFamilyID, u16}})
	// GET_REG: alpha2, then a nested rules attribute (flag bit 0x8000 set).
	reg := encodeGenl(0x1c, 0, 10, nl80211CmdGetReg, []attr{
		{0x8000 | 34, encodeAttrs([]attr{{1, []byte{0, 0, 0, 0}}})},
		stringAttr(nl80211AttrRegAlpha2, "GB"),
	})
	msgs, err := decodeMessages(reply(family, ack(9, 0)))
	if err != nil || len(msgs) != 2 {
		t.Fatalf("decode: %d messages, %v", len(msgs), err)
	}
	if id, err := familyID(msgs[0].payload); err != nil || id != 0x1c {
		t.Errorf("familyID = %#x, %v; want 0x1c", id, err)
	}
	if code, err := errnoOf(msgs[1].payload); err != nil || code != 0 {
		t.Errorf("ack errno = %d, %v", code, err)
	}
	msgs, _ = decodeMessages(reg)
	if a, ok := alpha2(msgs[0].payload); !ok || a != "GB" {
		t.Errorf("alpha2 = %q, %t; want GB", a, ok)
	}
	msgs, _ = decodeMessages(ack(3, -2))
	if code, _ := errnoOf(msgs[0].payload); code != -2 {
		t.Errorf("errno = %d, want -2 (ENOENT)", code)
	}
}

func TestDecodeTruncated(t *testing.T) {
	full := encodeGenl(0x1c, 0, 1, nl80211CmdGetReg, []attr{stringAttr(nl80211AttrRegAlpha2, "GB")})
	for n := 0; n < len(full); n++ {
		msgs, _ := decodeMessages(full[:n]) // must not panic
		for _, m := range msgs {
			alpha2(m.payload)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encodeGenl(0x1c, 0, 1, nl80211CmdGetReg, []attr{stringAttr(nl80211AttrRegAlpha2, "GB")}))
	f.Add(ack(1, -1))
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, _ := decodeMessages(b)
		for _, m := range msgs {
			alpha2(m.payload)
			familyID(m.payload)
			errnoOf(m.payload)
		}
	})
}
