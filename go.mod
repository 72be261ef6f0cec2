module github.com/pi-netconfig/pi-netconfig

go 1.26

require (
	github.com/coreos/go-systemd/v22 v22.5.0
	github.com/godbus/dbus/v5 v5.1.0
	github.com/google/go-cmp v0.7.0
	rsc.io/qr v0.2.0
)
