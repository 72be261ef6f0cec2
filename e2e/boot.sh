#!/bin/sh
# Run by the VM's e2e-boot.service before NetworkManager starts (from the
# 9p share, so it changes without rebuilding the image).
exec /mnt/e2e/bin/e2e-runner boot
