package nm

import (
	"syscall"
	"unsafe"
)

// bootMillis is CLOCK_BOOTTIME in milliseconds, the clock of LastScan.
func bootMillis() (int64, bool) {
	var ts syscall.Timespec
	const clockBoottime = 7
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockBoottime, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0, false
	}
	return int64(ts.Sec)*1000 + int64(ts.Nsec)/1e6, true
}
