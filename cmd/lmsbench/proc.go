package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// child is one target (or the simulator) running as a child process, so its
// CPU time and peak memory are its own and not the load generator's.
type child struct {
	role  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	// origin and token are what the child printed when ready.
	origin, token string
}

// startChild re-executes this binary in a role and waits for it to listen.
func startChild(role string, env ...string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), append(env, envRole+"="+role)...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{role: role, cmd: cmd, stdin: stdin}
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		fields := strings.Fields(line)
		switch {
		case err != nil:
			ready <- fmt.Errorf("%s: %w", role, err)
		case len(fields) < 2 || fields[0] != "READY":
			ready <- fmt.Errorf("%s: unexpected first line %q", role, line)
		default:
			c.origin = fields[1]
			if len(fields) > 2 {
				c.token = fields[2]
			}
			ready <- nil
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case err = <-ready:
	case <-time.After(10 * time.Second):
		err = fmt.Errorf("%s: not ready after 10s", role)
	}
	if err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// stop closes the child's standard input, its signal to finish (and write
// any profiles), and waits for it a bounded time.
func (c *child) stop() {
	_ = c.stdin.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// userHZ is the unit of the CPU times in /proc/<pid>/stat, fixed at 100 by
// the Linux ABI whatever the kernel's internal tick rate.
const userHZ = 100

// cpu is the child's user+system CPU time so far.
func (c *child) cpu() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; fields are counted after its ')'.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc stat for %s", c.role)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("parsing /proc stat for %s", c.role)
	}
	return time.Duration(utime+stime) * time.Second / userHZ, nil
}

// resetPeakRSS starts a new peak-RSS window (clear_refs value 5), so that
// each run reports its own peak rather than the process lifetime's.
func (c *child) resetPeakRSS() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", c.cmd.Process.Pid), []byte("5"), 0)
}

// peakRSS is VmHWM, the peak resident set since the last reset, in bytes.
func (c *child) peakRSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM for %s", c.role)
}
