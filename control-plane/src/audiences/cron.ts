/** Recurring jobs (graphile-worker crontab lines) of the audiences module. */
export function audienceCrontab(): string {
  return "";
}
