import { mediaErrorText } from '../error-text';

// The local camera and microphone. A camera that fails (none, in use, refused) is not
// worth losing the call over: fall back to audio only and say why. Without a microphone
// there is no call.

export interface LocalMedia {
  stream: MediaStream;
  // Why there is no video, in words; null when the camera works.
  videoProblem: string | null;
}

export class MediaError extends Error {
  override name = 'MediaError';
}

export async function getLocalMedia(devices: Pick<MediaDevices, 'getUserMedia'> = navigator.mediaDevices): Promise<LocalMedia> {
  try {
    return { stream: await devices.getUserMedia({ audio: true, video: true }), videoProblem: null };
  } catch (videoErr) {
    try {
      const stream = await devices.getUserMedia({ audio: true, video: false });
      return { stream, videoProblem: `${mediaErrorText(videoErr, 'camera')} This call is audio only.` };
    } catch (audioErr) {
      throw new MediaError(mediaErrorText(audioErr, 'microphone'));
    }
  }
}

export function stopStream(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
