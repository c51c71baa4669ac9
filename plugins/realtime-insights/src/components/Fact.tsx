import { Grid, GridSize, Typography } from '@material-ui/core';

/** A labelled figure in a grid of facts (freshness cards, cache stats). */
export function Fact(props: {
  label: string;
  value: string;
  testId?: string;
  /** Columns on small and wider screens (of 12); xs is always half. */
  sm?: GridSize;
  md?: GridSize;
}) {
  return (
    <Grid item xs={6} sm={props.sm} md={props.md}>
      <Typography variant="caption" color="textSecondary" component="div">
        {props.label}
      </Typography>
      <Typography variant="body1" data-testid={props.testId}>
        {props.value}
      </Typography>
    </Grid>
  );
}
