import { Modal, type ModalProps } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';

/** A modal that takes the whole screen on a phone. */
export function ResponsiveModal(props: ModalProps) {
  const phone = useMediaQuery('(max-width: 36em)');
  return <Modal fullScreen={phone} {...props} />;
}
