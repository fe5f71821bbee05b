package store

import (
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// passwordHashes counts the argon2 computations running in this process;
// each holds argonMemory KiB, so their number bounds sign-in memory.
var passwordHashes struct {
	running, peak, total atomic.Int64
}

// idKey is argon2.IDKey, counted.
func idKey(password, salt []byte, iterations, memory uint32, threads uint8, keyLen uint32) []byte {
	passwordHashes.total.Add(1)
	n := passwordHashes.running.Add(1)
	defer passwordHashes.running.Add(-1)
	for {
		p := passwordHashes.peak.Load()
		if n <= p || passwordHashes.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return argon2.IDKey(password, salt, iterations, memory, threads, keyLen)
}

// PasswordHashMemory is what one password hash holds while it runs.
const PasswordHashMemory = argonMemory * 1024

// PasswordHashCounts are the password hashes of this process.
type PasswordHashCounts struct {
	// Running is how many run right now; Peak the most that ran at once
	// since the process started or ResetPasswordHashPeak.
	Running, Peak int64
	// Total is how many were computed since the process started.
	Total int64
}

// PasswordHashes counts this process's password hashes.
func PasswordHashes() PasswordHashCounts {
	return PasswordHashCounts{Running: passwordHashes.running.Load(), Peak: passwordHashes.peak.Load(), Total: passwordHashes.total.Load()}
}

// ResetPasswordHashPeak starts a new peak from the hashes running now.
func ResetPasswordHashPeak() {
	passwordHashes.peak.Store(passwordHashes.running.Load())
}
