package pii

import (
	"bytes"
	"testing"
)

func TestSealOpen(t *testing.T) {
	v, err := NewVault(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed := v.Seal([]byte("1990-04-01"), []byte("cus_1"))
	if bytes.Contains(sealed, []byte("1990")) {
		t.Fatal("sealed value contains the plaintext")
	}
	if got, err := v.Open(sealed, []byte("cus_1")); err != nil || string(got) != "1990-04-01" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := v.Open(sealed, []byte("cus_2")); err == nil {
		t.Fatal("a sealed value opened under another row's id")
	}
	if bytes.Equal(v.Seal([]byte("x"), nil), v.Seal([]byte("x"), nil)) {
		t.Fatal("sealing is deterministic: nonces repeat")
	}
	other, _ := NewVault(bytes.Repeat([]byte{2}, 32))
	if _, err := other.Open(sealed, []byte("cus_1")); err == nil {
		t.Fatal("another key opened the value")
	}
}

func TestIndex(t *testing.T) {
	v, _ := NewVault(bytes.Repeat([]byte{1}, 32))
	if !bytes.Equal(v.Index("Zoë", "  Tremblay ", "1990-04-01"), v.Index("zoe", "tremblay", "1990-04-01")) {
		t.Fatal("case, accents or spaces changed the index")
	}
	if bytes.Equal(v.Index("zoe", "tremblay"), v.Index("zoetremblay", "")) {
		t.Fatal("parts are not separated")
	}
}
