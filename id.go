package openflex

import (
	"crypto/rand"
	"encoding/binary"
	"io"
	"strings"
	"sync"
	"time"
)

// Prefixes of the opaque identifiers of API.md, one per object type.
const (
	PrefixMerchant     = "mer"
	PrefixStore        = "str"
	PrefixPlan         = "plan"
	PrefixApplication  = "app"
	PrefixVerification = "ver"
	PrefixAuth         = "auth"
	PrefixCapture      = "cap"
	PrefixReturn       = "ret"
	PrefixTransaction  = "txn"
	PrefixCheckout     = "chk"
	PrefixConsent      = "cns"
	PrefixEvent        = "evt"
	PrefixWebhook      = "we"
	PrefixRequest      = "req"
	PrefixKeySet       = "ks"
	PrefixUser         = "usr"
	PrefixTestClock    = "clock"
	PrefixStatement    = "stmt"
	PrefixPayment      = "pay"
	PrefixStatusChange = "asc"
)

const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// IDGen makes identifiers. Each is a 48-bit millisecond timestamp followed by
// 80 random bits, Crockford base32: unguessable, yet sortable by creation so
// cursor pagination is a plain comparison on the id. Within one millisecond
// a generator steps forward by a random amount, so its ids stay strictly
// increasing without becoming predictable.
type IDGen struct {
	Now  func() time.Time
	Rand io.Reader

	mu       sync.Mutex
	lastHi   uint64
	lastLo   uint64
	lastTime uint64
}

// DefaultIDs uses the wall clock and crypto/rand.
var DefaultIDs = &IDGen{Now: time.Now, Rand: rand.Reader}

// New returns prefix + "_" + 26 characters.
func (g *IDGen) New(prefix string) string {
	var b [16]byte
	if _, err := io.ReadFull(g.Rand, b[6:]); err != nil {
		panic("openflex: random source failed: " + err.Error())
	}
	ms := uint64(g.Now().UnixMilli())
	g.mu.Lock()
	var hi, lo uint64
	if ms <= g.lastTime {
		step := uint64(binary.BigEndian.Uint32(b[6:10])) | 1
		hi, lo = g.lastHi, g.lastLo+step
		if lo < g.lastLo {
			hi++
		}
	} else {
		binary.BigEndian.PutUint64(b[:8], ms<<16|uint64(binary.BigEndian.Uint16(b[6:8])))
		hi, lo = binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
		g.lastTime = ms
	}
	g.lastHi, g.lastLo = hi, lo
	g.mu.Unlock()

	var out [26]byte
	// 128 bits in 26 base32 digits (130 bits): the top digit carries 3 bits.
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	var sb strings.Builder
	sb.Grow(len(prefix) + 27)
	sb.WriteString(prefix)
	sb.WriteByte('_')
	sb.Write(out[:])
	return sb.String()
}

// NewID makes an identifier with DefaultIDs.
func NewID(prefix string) string { return DefaultIDs.New(prefix) }

// HasPrefix reports whether id looks like an identifier of the given type.
func HasPrefix(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"_")
	if !ok || len(rest) != 26 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if strings.IndexByte(crockford, rest[i]) < 0 {
			return false
		}
	}
	return true
}
