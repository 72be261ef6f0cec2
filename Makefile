# pi-netconfig build. `make binaries` cross-builds the four static binaries,
# `make packages` the three .debs (nfpm, run with `go run`, so it stays out
# of the daemon's go.mod). Everything lands in dist/.

VERSION ?= 0.1.0
GO      ?= go
NFPM    ?= $(GO) run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.48.0
DIST    ?= dist
PKG     := ./cmd/pi-netconfig
LDFLAGS := -s -w -X main.version=$(VERSION)
# HTTP/2 is never spoken (the portal is plain HTTP on the hotspot, the
# control socket HTTP/1.1): leaving it out saves 0.5 MB on ARMv6.
TAGS    := nethttpomithttp2
BUILD   := CGO_ENABLED=0 $(GO) build -tags $(TAGS) -trimpath -buildvcs=false -ldflags "$(LDFLAGS)"

# name → GOARCH/GOARM
BIN_armv6 := GOARCH=arm GOARM=6
BIN_armv7 := GOARCH=arm GOARM=7
BIN_arm64 := GOARCH=arm64
BIN_amd64 := GOARCH=amd64
BINARIES  := $(DIST)/pi-netconfig-linux-armv6 $(DIST)/pi-netconfig-linux-armv7 \
             $(DIST)/pi-netconfig-linux-arm64 $(DIST)/pi-netconfig-linux-amd64

# Debian architecture → binary and nfpm architecture. armhf gets the ARMv6
# binary so one package runs on every Pi, Pi Zero and Pi 1 included.
DEB_BIN_amd64  := amd64
DEB_BIN_arm64  := arm64
DEB_BIN_armhf  := armv6
NFPM_ARCH_amd64 := amd64
NFPM_ARCH_arm64 := arm64
NFPM_ARCH_armhf := arm6
DEBS := $(DIST)/pi-netconfig_$(VERSION)_amd64.deb $(DIST)/pi-netconfig_$(VERSION)_arm64.deb \
        $(DIST)/pi-netconfig_$(VERSION)_armhf.deb

.PHONY: build binaries packages deb-amd64 clean FORCE

## build: the binary for this machine, in bin/
build:
	CGO_ENABLED=0 $(GO) build -tags $(TAGS) -trimpath -buildvcs=false -ldflags "-X main.version=$(VERSION)" -o bin/pi-netconfig $(PKG)

## binaries: four stripped static binaries in dist/
binaries: $(BINARIES)

$(DIST)/pi-netconfig-linux-%: FORCE
	@mkdir -p $(DIST)
	GOOS=linux $(BIN_$*) $(BUILD) -o $@ $(PKG)

## packages: the amd64, arm64 and armhf .debs in dist/
packages: $(DEBS)

## deb-amd64: just the amd64 .deb (for the e2e VM)
deb-amd64: $(DIST)/pi-netconfig_$(VERSION)_amd64.deb

$(DIST)/pkg/pi-netconfig.service: FORCE
	$(GO) run -buildvcs=false ./packaging/gen -out $(DIST)/pkg

# Each .deb depends on its binary; the unit and drop-in come from gen.
.SECONDEXPANSION:
$(DIST)/pi-netconfig_$(VERSION)_%.deb: $(DIST)/pi-netconfig-linux-$$(DEB_BIN_$$*) $(DIST)/pkg/pi-netconfig.service
	NFPM_ARCH=$(NFPM_ARCH_$*) VERSION=$(VERSION) BINARY=$(DIST)/pi-netconfig-linux-$(DEB_BIN_$*) \
	PKGFILES=$(DIST)/pkg $(NFPM) package --config packaging/nfpm.yaml --packager deb --target $@

## clean: remove build output
clean:
	rm -rf $(DIST) bin
