"""Operations: running the service rather than the work it holds. Backup and restore of the whole
database with its uploaded files, the health check for a load balancer, the sign-in lockout page
and the audit page (who changed what, within the viewer's rights)."""
