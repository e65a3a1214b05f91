ALTER TABLE `hosts` ADD `tls_fingerprint` text;--> statement-breakpoint
ALTER TABLE `hosts` ADD `tls_presented_fingerprint` text;