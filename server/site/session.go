package site

import (
	"errors"
	"log/slog"
	"net/http"

	"e2eecall"
)

const maxSessionBody = 4 << 10

// handleSession answers POST /api/session: a room and a display name in,
// what OpenTok.js needs to join that room's call out.
func handleSession(backend Backend, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req e2eecall.JoinRequest
		if status, err := decode(r, &req); err != nil {
			encodeError(w, status, err.Error(), nil)
			return
		}
		req, problems := req.Normalize()
		if problems != nil {
			encodeError(w, http.StatusBadRequest, "check the highlighted fields", problems)
			return
		}
		session, err := backend.Join(r.Context(), req.Room, req.Name)
		var apiErr *Error
		switch {
		case errors.As(err, &apiErr):
			log.Warn("session refused", "room", req.Room, "status", apiErr.Status, "error", apiErr.Message)
			encodeError(w, apiErr.Status, apiErr.Message, nil)
			return
		case err != nil:
			log.Error("session failed", "room", req.Room, "error", err)
			encodeError(w, http.StatusInternalServerError, "the server could not set up the call; try again in a moment", nil)
			return
		}
		log.Info("session", "room", req.Room, "backend", session.Backend)
		encode(w, http.StatusOK, session)
	})
}
