import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { StreamDashboard } from '../StreamDashboard';
import { ReportActionsComponent } from '../StreamDashboard/ReportActionsSlot';
import { STREAM_REF_ANNOTATION, streamOfEntity } from './streamOfEntity';

/**
 * The dashboard of the entity's stream, as an entity page tab: on stream
 * entities, and on Components that declare a stream by annotation.
 *
 * @public
 */
export function EntityStreamContent(props: {
  reportActions?: ReportActionsComponent;
}) {
  const { entity } = useEntity();
  const stream = streamOfEntity(entity);
  if (!stream) {
    return <MissingAnnotationEmptyState annotation={STREAM_REF_ANNOTATION} />;
  }
  return (
    <StreamDashboard stream={stream} reportActions={props.reportActions} />
  );
}
