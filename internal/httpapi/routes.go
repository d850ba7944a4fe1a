package httpapi

// routeTable is parley's one route table: each row is a route with the
// policy that applies to it (auth, body cap, stream, budgets, error
// envelope). Adding a route is adding a row; the README lists body caps.
func (s *Server) routeTable() []Route {
	const (
		session  = AuthSession
		admin    = AuthAdmin
		apiToken = AuthAPIToken
		user     = BudgetUser
	)
	return []Route{
		{Pattern: "GET /healthz", Handler: s.healthz, Probe: true},
		{Pattern: "GET /readyz", Handler: s.readyz, Probe: true},
		{Pattern: "GET /api/v1/status", Handler: s.status},

		// Accounts: auth.go, me.go.
		{Pattern: "POST /api/v1/auth/register", Handler: s.register, Budgets: BudgetLogin},
		{Pattern: "POST /api/v1/auth/login", Handler: s.login, Budgets: BudgetLogin},
		{Pattern: "POST /api/v1/auth/refresh", Handler: s.refresh},
		{Pattern: "POST /api/v1/auth/logout", Handler: s.logout},
		{Pattern: "GET /api/v1/me", Handler: s.getMe, Auth: session, Budgets: user},
		{Pattern: "PATCH /api/v1/me", Handler: s.patchMe, Auth: session, Budgets: user},

		// Conversations and their messages: conversations.go, messages.go.
		{Pattern: "POST /api/v1/conversations", Handler: s.createConversation, Auth: session, Budgets: user, MaxBody: BodyMedium},
		{Pattern: "GET /api/v1/conversations", Handler: s.listConversations, Auth: session, Budgets: user},
		{Pattern: "GET /api/v1/conversations/{id}", Handler: s.getConversation, Auth: session, Budgets: user},
		{Pattern: "PATCH /api/v1/conversations/{id}", Handler: s.patchConversation, Auth: session, Budgets: user, MaxBody: BodyMedium},
		{Pattern: "DELETE /api/v1/conversations/{id}", Handler: s.deleteConversation, Auth: session, Budgets: user},
		{Pattern: "POST /api/v1/conversations/{id}/messages", Handler: s.sendMessage, Auth: session, Budgets: user,
			MaxBody: BodyMessage, Stream: true},
		{Pattern: "POST /api/v1/conversations/{id}/regenerate", Handler: s.regenerate, Auth: session, Budgets: user, Stream: true},

		// Full-text search: search.go.
		{Pattern: "GET /api/v1/search", Handler: s.search, Auth: session, Budgets: user},

		// Folders: folders.go.
		{Pattern: "GET /api/v1/folders", Handler: s.listFolders, Auth: session, Budgets: user},
		{Pattern: "POST /api/v1/folders", Handler: s.createFolder, Auth: session, Budgets: user},
		{Pattern: "PATCH /api/v1/folders/{id}", Handler: s.patchFolder, Auth: session, Budgets: user},
		{Pattern: "DELETE /api/v1/folders/{id}", Handler: s.deleteFolder, Auth: session, Budgets: user},

		// Presets: presets.go.
		{Pattern: "GET /api/v1/presets", Handler: s.listPresets, Auth: session, Budgets: user},
		{Pattern: "POST /api/v1/presets", Handler: s.createPreset, Auth: session, Budgets: user, MaxBody: BodyMedium},
		{Pattern: "GET /api/v1/presets/{id}", Handler: s.getPreset, Auth: session, Budgets: user},
		{Pattern: "PATCH /api/v1/presets/{id}", Handler: s.patchPreset, Auth: session, Budgets: user, MaxBody: BodyMedium},
		{Pattern: "DELETE /api/v1/presets/{id}", Handler: s.deletePreset, Auth: session, Budgets: user},

		// Models, personal API tokens, usage: models.go, tokens.go, usage.go.
		{Pattern: "GET /api/v1/models", Handler: s.listModels, Auth: session, Budgets: user},
		{Pattern: "POST /api/v1/tokens", Handler: s.createToken, Auth: session, Budgets: user},
		{Pattern: "GET /api/v1/tokens", Handler: s.listTokens, Auth: session, Budgets: user},
		{Pattern: "DELETE /api/v1/tokens/{id}", Handler: s.deleteToken, Auth: session, Budgets: user},
		{Pattern: "GET /api/v1/usage", Handler: s.getUsage, Auth: session, Budgets: user},

		// Administration: admin_users.go, admin_keys.go, admin_audit.go.
		{Pattern: "GET /api/v1/admin/users", Handler: s.listUsers, Auth: admin, Budgets: user},
		{Pattern: "PATCH /api/v1/admin/users/{id}", Handler: s.patchUser, Auth: admin, Budgets: user},
		{Pattern: "POST /api/v1/admin/invites", Handler: s.createInvite, Auth: admin, Budgets: user},
		{Pattern: "GET /api/v1/admin/invites", Handler: s.listInvites, Auth: admin, Budgets: user},
		{Pattern: "GET /api/v1/admin/keys", Handler: s.listKeys, Auth: admin, Budgets: user},
		{Pattern: "GET /api/v1/admin/audit", Handler: s.listAudit, Auth: admin, Budgets: user},

		// The OpenAI-compatible API, with personal API tokens: openai.go.
		{Pattern: "POST /v1/chat/completions", Handler: s.openAIChat, Auth: apiToken, Budgets: BudgetToken,
			MaxBody: BodyMax, Stream: true, OpenAI: true},
		{Pattern: "GET /v1/models", Handler: s.openAIModels, Auth: apiToken, Budgets: BudgetToken, OpenAI: true},
	}
}
