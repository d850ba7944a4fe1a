package httpapi

// routeTable is parley's one route table. Teammates' handlers (chat
// streams, /v1, tokens, usage, admin keys/audit, status) either add lines
// here or arrive through Deps.Routes. The last value of a line is its
// request body cap (0: BodySmall; see bodylimit.go and the README table).
func (s *Server) routeTable() []Route {
	return []Route{
		{"GET /healthz", Public, s.healthz, 0},
		{"GET /readyz", Public, s.readyz, 0},

		{"POST /api/v1/auth/register", Public, s.register, BodySmall},
		{"POST /api/v1/auth/login", Public, s.login, BodySmall},
		{"POST /api/v1/auth/refresh", Public, s.refresh, BodySmall},
		{"POST /api/v1/auth/logout", Public, s.logout, BodySmall},

		{"GET /api/v1/me", User, s.getMe, 0},
		{"PATCH /api/v1/me", User, s.patchMe, BodySmall},

		{"POST /api/v1/conversations", User, s.createConversation, BodyMedium},
		{"GET /api/v1/conversations", User, s.listConversations, 0},
		{"GET /api/v1/conversations/{id}", User, s.getConversation, 0},
		{"PATCH /api/v1/conversations/{id}", User, s.patchConversation, BodyMedium},
		{"DELETE /api/v1/conversations/{id}", User, s.deleteConversation, 0},

		{"GET /api/v1/admin/users", Admin, s.listUsers, 0},
		{"PATCH /api/v1/admin/users/{id}", Admin, s.patchUser, BodySmall},
		{"POST /api/v1/admin/invites", Admin, s.createInvite, BodySmall},
		{"GET /api/v1/admin/invites", Admin, s.listInvites, 0},
	}
}
