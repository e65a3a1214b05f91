/**
 * The User-Agent of requests to a box registry: `Vagrant/<version> (...)`, the form Vagrant's
 * downloader sends (`USER_AGENT` in lib/vagrant/util/downloader.rb, hashicorp/vagrant).
 * BoxVault answers its Vagrant routes (`GET /{org}/{box}` metadata, private `.box` downloads
 * with a bearer token) only to a User-Agent starting with `Vagrant/` (its vagrantHandler
 * middleware; backend/app/controllers/box/findone.js in Makr91/BoxVault); to anything else
 * the same path is its web front end. The comment names Apiary.
 */
export const REGISTRY_USER_AGENT = 'Vagrant/2.4.0 (compatible; apiary-controller)';
