package broadcast

import (
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// newOwner names this runner in a campaign's lease: host, process id and a
// random part, "host/pid/nonce".
func newOwner() string {
	return fmt.Sprintf("%s/%d/%s", ownerHost(), os.Getpid(), rand.Text()[:8])
}

// ownerHost is the host part of this process's owner names.
func ownerHost() string {
	host, _ := os.Hostname()
	return strings.ReplaceAll(host, "/", "_")
}

// deadOwner reports whether owner is a runner of another process on this
// host that no longer exists (it was killed): its lease can be taken
// over at once instead of waiting for it to expire.
func deadOwner(owner string) bool {
	parts := strings.Split(owner, "/")
	if len(parts) != 3 {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || parts[0] != ownerHost() || pid == os.Getpid() {
		return false
	}
	return !processAlive(pid)
}
