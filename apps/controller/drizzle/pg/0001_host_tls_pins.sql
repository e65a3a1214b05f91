ALTER TABLE "hosts" ADD COLUMN "tls_fingerprint" text;--> statement-breakpoint
ALTER TABLE "hosts" ADD COLUMN "tls_presented_fingerprint" text;