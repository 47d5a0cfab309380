/** A user's newest photo (its preview), or their initials. */
import type { UserInfo } from '@parley/client';

export function Avatar({ user, size = 36 }: { user: Pick<UserInfo, 'name' | 'photos'>; size?: number }) {
  const photo = user.photos[0];
  const style = { width: `${size}px`, height: `${size}px` };
  if (photo) return <img class="avatar" style={style} src={photo.previewUrl ?? photo.url} alt="" />;
  const initials = user.name
    .split(/\s+/)
    .map((w) => w[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  return (
    <span class="avatar initials" style={style} aria-hidden="true">
      {initials}
    </span>
  );
}
