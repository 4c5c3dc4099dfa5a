package keys

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/openflex/openflex"
)

// TokenTTL is the lifetime of an access token (API.md: expires_in 1200).
const TokenTTL = 20 * time.Minute

// Roll grace limits: the old secret keeps working until a chosen expiry of
// at most seven days, one day unless told otherwise.
const (
	DefaultRollGrace = 24 * time.Hour
	MaxRollGrace     = 7 * 24 * time.Hour
	// Immediately, as a roll's grace, retires the old secret at once (a
	// suspected leak, or the demo re-issuing its keys at start).
	Immediately time.Duration = -1
)

// Token is a stored access token: its hash and what it is bound to.
type Token struct {
	Hash      []byte
	KeySetID  string
	SecretID  string
	Created   time.Time
	ExpiresAt time.Time
}

// Store is the control-plane storage the key service needs.
type Store interface {
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	Merchant(ctx context.Context, id string) (*openflex.Merchant, error)
	CreateKeySet(ctx context.Context, k *openflex.KeySet) error
	KeySet(ctx context.Context, id string) (*openflex.KeySet, error)
	KeySetByClientID(ctx context.Context, clientID string) (*openflex.KeySet, error)
	AddSecret(ctx context.Context, keySetID string, s openflex.Secret) error
	ExpireSecrets(ctx context.Context, keySetID string, at time.Time) error
	RevokeKeySet(ctx context.Context, id string, at time.Time) error
	SetTrust(ctx context.Context, id string, urls, ips []string) error
	TouchKeySet(ctx context.Context, id string, at time.Time) error
	CreateToken(ctx context.Context, t Token) error
	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	// AuthVersion is the control plane's authentication version: every
	// change to key sets, secrets or Trust lists moves it in the same
	// transaction (see Watch).
	AuthVersion(ctx context.Context) (int64, error)
	Audit(ctx context.Context, e openflex.AuditEntry) error
}

// SecretHasher computes the keyed hash of a secret or token (a *Hasher;
// tests wrap it to count the work a request does).
type SecretHasher interface {
	Hash(purpose, value string) []byte
}

// Service manages key sets and authenticates their use.
type Service struct {
	Store  Store
	Hasher SecretHasher
	Now    func() time.Time
	// CacheTTL, when positive, lets authentication answer from memory for
	// that long (DefaultCacheTTL), but only while Watch runs and knows the
	// control plane's current auth version (see cache.go).
	CacheTTL time.Duration
	// WatchEvery and StaleAfter tune Watch (DefaultWatchEvery,
	// DefaultStaleAfter when zero).
	WatchEvery, StaleAfter time.Duration
	// Logger, when set, hears when Watch cannot read the auth version
	// (the cache is then bypassed) and when it can again.
	Logger *slog.Logger

	cache authCache
}

// Actor says who asks for a change, for the audit log.
type Actor struct {
	Name       string // "cli", "portal:usr_…", "admin:…"
	RemoteAddr string
}

// NewKeySet is a request to create a key set.
type NewKeySet struct {
	MerchantID  string
	Environment openflex.Environment
	Name        string
	TrustURLs   []string
	TrustIPs    []string
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Create makes a key set and returns it with its secret, which is never
// stored and cannot be shown again. PRODUCTION needs the merchant's go-live
// approval (environment_not_enabled otherwise); Trust lists are validated
// (parameter_invalid, every bad entry listed).
func (s *Service) Create(ctx context.Context, req NewKeySet, by Actor) (*openflex.KeySet, string, error) {
	if !req.Environment.Valid() {
		return nil, "", &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "environment", Message: "environment must be training or production"}
	}
	m, err := s.Store.Merchant(ctx, req.MerchantID)
	if err != nil {
		return nil, "", err
	}
	if req.Environment == openflex.Production && !m.LiveApproved {
		return nil, "", openflex.Errorf(openflex.CodeEnvNotEnabled, "PRODUCTION keys exist only after the lender approves the merchant's go-live request")
	}
	urls, ips, err := s.normalizeTrust(req.Environment, req.TrustURLs, req.TrustIPs)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	secret := NewSecret(req.Environment)
	ks := &openflex.KeySet{
		ID: openflex.NewID(openflex.PrefixKeySet), MerchantID: m.ID, Environment: req.Environment, Name: req.Name,
		ClientID: NewClientID(req.Environment), TrustURLs: urls, TrustIPs: ips, Created: now,
		Secrets: []openflex.Secret{s.secretRecord(secret, now)},
	}
	err = s.Store.Write(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateKeySet(ctx, ks); err != nil {
			return err
		}
		return s.audit(ctx, by, "key_set.created", ks, fmt.Sprintf("environment=%s trust_urls=%v trust_ips=%v", ks.Environment, urls, ips))
	})
	s.invalidate()
	if err != nil {
		return nil, "", err
	}
	return ks, secret, nil
}

func (s *Service) normalizeTrust(env openflex.Environment, urls, ips []string) ([]string, []string, error) {
	var probs openflex.Problems
	u, err := NormalizeTrustURLs(env, urls)
	probs = appendProblems(probs, err)
	i, err := NormalizeTrustIPs(env, ips)
	probs = appendProblems(probs, err)
	return u, i, probs.Err()
}

func appendProblems(p openflex.Problems, err error) openflex.Problems {
	if e, ok := err.(*openflex.Error); ok {
		return append(p, e.Fields...)
	}
	return p
}

func (s *Service) secretRecord(secret string, now time.Time) openflex.Secret {
	return openflex.Secret{ID: openflex.NewID("sec"), Hash: s.Hasher.Hash("secret", secret), Last4: secret[len(secret)-4:], Created: now}
}

// Roll issues a new secret; the current ones keep working for grace (at
// most seven days; zero means the default of 24 hours, Immediately none).
func (s *Service) Roll(ctx context.Context, keySetID string, grace time.Duration, by Actor) (string, error) {
	if grace == 0 {
		grace = DefaultRollGrace
	}
	if grace == Immediately {
		grace = 0
	} else if grace < 0 || grace > MaxRollGrace {
		return "", &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "expires_in", Message: "the old secret may stay valid for at most 7 days"}
	}
	ks, err := s.Store.KeySet(ctx, keySetID)
	if err != nil {
		return "", err
	}
	if !ks.Active() {
		return "", openflex.Errorf(openflex.CodeParameterInvalid, "a revoked key set cannot be rolled")
	}
	now := s.now()
	secret := NewSecret(ks.Environment)
	err = s.Store.Write(ctx, func(ctx context.Context) error {
		if err := s.Store.ExpireSecrets(ctx, ks.ID, now.Add(grace)); err != nil {
			return err
		}
		if err := s.Store.AddSecret(ctx, ks.ID, s.secretRecord(secret, now)); err != nil {
			return err
		}
		return s.audit(ctx, by, "key_set.secret_rolled", ks, "old secret expires "+now.Add(grace).Format(time.RFC3339))
	})
	s.invalidate()
	if err != nil {
		return "", err
	}
	return secret, nil
}

// Revoke stops a key set, its secrets and its tokens at once.
func (s *Service) Revoke(ctx context.Context, keySetID string, by Actor) error {
	ks, err := s.Store.KeySet(ctx, keySetID)
	if err != nil {
		return err
	}
	err = s.Store.Write(ctx, func(ctx context.Context) error {
		if err := s.Store.RevokeKeySet(ctx, ks.ID, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, by, "key_set.revoked", ks, "")
	})
	s.invalidate()
	return err
}

// SetTrust replaces a key set's Trust URLs and IPs.
func (s *Service) SetTrust(ctx context.Context, keySetID string, urls, ips []string, by Actor) (*openflex.KeySet, error) {
	ks, err := s.Store.KeySet(ctx, keySetID)
	if err != nil {
		return nil, err
	}
	u, i, err := s.normalizeTrust(ks.Environment, urls, ips)
	if err != nil {
		return nil, err
	}
	err = s.Store.Write(ctx, func(ctx context.Context) error {
		if err := s.Store.SetTrust(ctx, ks.ID, u, i); err != nil {
			return err
		}
		return s.audit(ctx, by, "key_set.trust_changed", ks, fmt.Sprintf("trust_urls=%v trust_ips=%v", u, i))
	})
	s.invalidate()
	if err != nil {
		return nil, err
	}
	ks.TrustURLs, ks.TrustIPs = u, i
	return ks, nil
}

// KeySet returns key set id as stored now (not the authentication cache).
func (s *Service) KeySet(ctx context.Context, id string) (*openflex.KeySet, error) {
	return s.Store.KeySet(ctx, id)
}

// SetOwnTrust replaces a key set's Trust URLs and IPs at its own request
// (a deployment script through the API), audited like the portal's
// change. A list that would refuse the address the request came from is
// refused (parameter_invalid on trust_ips): the key set could never undo
// it. Errors: parameter_invalid, resource_missing.
func (s *Service) SetOwnTrust(ctx context.Context, keySetID string, urls, ips []string, from netip.Addr, by Actor) (*openflex.KeySet, error) {
	ks, err := s.Store.KeySet(ctx, keySetID)
	if err != nil {
		return nil, err
	}
	_, normIPs, err := s.normalizeTrust(ks.Environment, urls, ips)
	if err != nil {
		return nil, err
	}
	if !IPAllowed(normIPs, from) {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "trust_ips",
			Message: fmt.Sprintf("trust_ips must include %s, the address this request came from: otherwise this key set could never call the API again, even to undo it", from)}
	}
	return s.SetTrust(ctx, keySetID, urls, ips, by)
}

func (s *Service) audit(ctx context.Context, by Actor, action string, ks *openflex.KeySet, detail string) error {
	return s.Store.Audit(ctx, openflex.AuditEntry{
		ID: openflex.NewID("aud"), At: s.now(), Actor: by.Name, Action: action,
		MerchantID: ks.MerchantID, ObjectID: ks.ClientID, Detail: detail, RemoteAddr: by.RemoteAddr,
	})
}

func invalidClient() error {
	return openflex.Errorf(openflex.CodeInvalidClient, "client authentication failed")
}

// Authenticate checks a Client ID and Client Secret and returns the key set
// and the secret that matched. Every failure is the same invalid_client, so
// a caller cannot tell an unknown client from a wrong secret.
func (s *Service) Authenticate(ctx context.Context, clientID, secret string) (*openflex.KeySet, *openflex.Secret, error) {
	return s.authenticate(ctx, clientID, secret, nil)
}

// AuthenticateFrom is Authenticate for a request from address from: a key
// set with Trust IPs refuses an address outside them (ip_not_trusted)
// before its secret is compared, so an untrusted address learns nothing
// about the secret and its guesses never count against the merchant.
func (s *Service) AuthenticateFrom(ctx context.Context, clientID, secret string, from netip.Addr) (*openflex.KeySet, *openflex.Secret, error) {
	return s.authenticate(ctx, clientID, secret, func(ks *openflex.KeySet) error {
		if !IPAllowed(ks.TrustIPs, from) {
			return openflex.Errorf(openflex.CodeIPNotTrusted, "this IP address is not a Trust IP of the key set")
		}
		return nil
	})
}

func (s *Service) authenticate(ctx context.Context, clientID, secret string, admit func(*openflex.KeySet) error) (*openflex.KeySet, *openflex.Secret, error) {
	// The presented secret is hashed first, whatever follows: a malformed,
	// unknown or untrusted request costs the same HMAC as a wrong secret
	// of a real client, so response times do not tell which Client IDs
	// exist.
	h := s.Hasher.Hash("secret", secret)
	idEnv, ok := ClientIDEnvironment(clientID)
	secretEnv, ok2 := SecretEnvironment(secret)
	if !ok || !ok2 || idEnv != secretEnv {
		return nil, nil, invalidClient()
	}
	ks, err := s.keySetByClientID(ctx, clientID)
	if err != nil {
		return nil, nil, err
	}
	if ks == nil || !ks.Active() {
		return nil, nil, invalidClient()
	}
	if admit != nil {
		if err := admit(ks); err != nil {
			return nil, nil, err
		}
	}
	now := s.now()
	for i := range ks.Secrets {
		sec := &ks.Secrets[i]
		if Equal(sec.Hash, h) && sec.ValidAt(now) {
			s.touch(ctx, ks, now)
			return ks, sec, nil
		}
	}
	return nil, nil, invalidClient()
}

// IssueToken mints an access token bound to the key set and the secret
// that authenticated; only its hash is stored.
func (s *Service) IssueToken(ctx context.Context, ks *openflex.KeySet, sec *openflex.Secret) (string, time.Time, error) {
	now := s.now()
	tok := NewToken(ks.Environment)
	exp := now.Add(TokenTTL)
	if !sec.ExpiresAt.IsZero() && sec.ExpiresAt.Before(exp) {
		exp = sec.ExpiresAt // a token never outlives its rolled secret
	}
	err := s.Store.CreateToken(ctx, Token{Hash: s.Hasher.Hash("token", tok), KeySetID: ks.ID, SecretID: sec.ID, Created: now, ExpiresAt: exp})
	if err != nil {
		return "", time.Time{}, err
	}
	return tok, exp, nil
}

// CheckToken returns the key set of a bearer token: invalid_token when it is
// unknown or its key set or secret no longer works, token_expired after
// its lifetime.
func (s *Service) CheckToken(ctx context.Context, token string) (*openflex.KeySet, error) {
	t, err := s.tokenByHash(ctx, s.Hasher.Hash("token", token))
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(t.ExpiresAt) {
		return nil, openflex.Errorf(openflex.CodeTokenExpired, "the access token has expired; request a new one from /oauth/token")
	}
	ks, err := s.keySet(ctx, t.KeySetID)
	if err != nil {
		return nil, err
	}
	if !ks.Active() {
		return nil, openflex.Errorf(openflex.CodeInvalidToken, "the access token is not valid")
	}
	for _, sec := range ks.Secrets {
		if sec.ID == t.SecretID {
			if !sec.ValidAt(now) {
				return nil, openflex.Errorf(openflex.CodeInvalidToken, "the access token is not valid")
			}
			s.touch(ctx, ks, now)
			return ks, nil
		}
	}
	return nil, openflex.Errorf(openflex.CodeInvalidToken, "the access token is not valid")
}
