CREATE TABLE "console_tickets" (
	"hash" text PRIMARY KEY NOT NULL,
	"user_key" text NOT NULL,
	"org_key" text NOT NULL,
	"grant" jsonb NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "console_tickets_user" ON "console_tickets" USING btree ("user_key","expires_at");--> statement-breakpoint
CREATE INDEX "console_tickets_org" ON "console_tickets" USING btree ("org_key","expires_at");--> statement-breakpoint
CREATE INDEX "console_tickets_expiry" ON "console_tickets" USING btree ("expires_at");