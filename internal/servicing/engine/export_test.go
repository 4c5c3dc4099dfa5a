package engine

// AfterRehearsal sets a function the daily job runs after rehearsing each
// batch, before its writer serves it: a test's way to change an account
// in between.
func AfterRehearsal(s *Service, f func()) { s.afterRehearse = f }

// BulkMessage is bulkMessage: whether messages of kind wait for the others.
func BulkMessage(kind string) bool { return bulkMessage(kind) }
