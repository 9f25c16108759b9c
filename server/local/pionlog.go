package local

import (
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// pionLogs writes pion's errors to the server's log, as one kind of line,
// so that they are rate-limited like the server's own: pion logs a line for
// every write to a connection that just closed, and one for every SSRC a
// client makes up. Its warnings, debugging and tracing are dropped, as its
// default logger does.
type pionLogs struct{ log *slog.Logger }

func (f pionLogs) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{log: f.log, scope: scope}
}

type pionLogger struct {
	log   *slog.Logger
	scope string
}

func (l pionLogger) Error(msg string) {
	l.log.Error("pion reported an error", "scope", l.scope, "error", msg)
}
func (l pionLogger) Errorf(format string, args ...any) {
	l.Error(fmt.Sprintf(format, args...))
}

func (pionLogger) Trace(string)          {}
func (pionLogger) Tracef(string, ...any) {}
func (pionLogger) Debug(string)          {}
func (pionLogger) Debugf(string, ...any) {}
func (pionLogger) Info(string)           {}
func (pionLogger) Infof(string, ...any)  {}
func (pionLogger) Warn(string)           {}
func (pionLogger) Warnf(string, ...any)  {}
