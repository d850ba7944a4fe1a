package httpapi

// routeTable is parley's one route table. Teammates' handlers (chat
// streams, /v1, tokens, usage, admin keys/audit, status) either add lines
// here or arrive through Deps.Routes.
func (s *Server) routeTable() []Route {
	return []Route{
		{"GET /healthz", Public, s.healthz},
		{"GET /readyz", Public, s.readyz},

		{"POST /api/v1/auth/register", Public, s.register},
		{"POST /api/v1/auth/login", Public, s.login},
		{"POST /api/v1/auth/refresh", Public, s.refresh},
		{"POST /api/v1/auth/logout", Public, s.logout},

		{"GET /api/v1/me", User, s.getMe},
		{"PATCH /api/v1/me", User, s.patchMe},

		{"POST /api/v1/conversations", User, s.createConversation},
		{"GET /api/v1/conversations", User, s.listConversations},
		{"GET /api/v1/conversations/{id}", User, s.getConversation},
		{"PATCH /api/v1/conversations/{id}", User, s.patchConversation},
		{"DELETE /api/v1/conversations/{id}", User, s.deleteConversation},

		{"GET /api/v1/admin/users", Admin, s.listUsers},
		{"PATCH /api/v1/admin/users/{id}", Admin, s.patchUser},
		{"POST /api/v1/admin/invites", Admin, s.createInvite},
		{"GET /api/v1/admin/invites", Admin, s.listInvites},
	}
}
