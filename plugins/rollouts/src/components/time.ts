/** "3m", "2h 5m", "4d 1h": how long since `iso`, for a person. */
export function since(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'unknown';
  const seconds = Math.max(
    0,
    Math.floor((now - new Date(iso).getTime()) / 1000),
  );
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m`;
  return `${seconds}s`;
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString();
}
