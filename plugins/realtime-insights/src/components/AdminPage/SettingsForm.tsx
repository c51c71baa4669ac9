import { ErrorPanel, InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  AdminSettingsResponse,
  SettingField,
  SettingValue,
  settingValueProblem,
} from '@internal/plugin-realtime-insights-common';
import {
  Box,
  Button,
  Chip,
  FormControlLabel,
  Grid,
  MenuItem,
  Switch,
  TextField,
  Typography,
} from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { backendError } from '../backendError';
import { realtimeInsightsAdminApiRef } from './adminApi';

/** What the admin typed: text of numbers, booleans, `null` for "default". */
type Draft = Record<string, string | boolean | null>;

const SECTION_TITLES: Record<string, string> = {
  cache: 'Cache',
  query: 'Query limits',
  live: 'Live updates',
  reports: 'Reports',
};

const sectionTitle = (section: string) =>
  SECTION_TITLES[section] ??
  section.charAt(0).toLocaleUpperCase('en-US') + section.slice(1);

/** The value a draft entry stands for, or why it is not one. */
function parseDraft(
  field: SettingField,
  raw: string | boolean,
): { value?: SettingValue; problem?: string } {
  let value: SettingValue = raw;
  if (field.type === 'integer' || field.type === 'number') {
    const text = String(raw).trim();
    value = text === '' ? NaN : Number(text);
  }
  const problem = settingValueProblem(field, value);
  return problem ? { problem } : { value };
}

/** The changes a draft makes to the settings in effect. */
function changesOf(
  fields: SettingField[],
  draft: Draft,
): Record<string, SettingValue | null> {
  const changes: Record<string, SettingValue | null> = {};
  for (const field of fields) {
    if (!(field.path in draft)) continue;
    const raw = draft[field.path];
    if (raw === null) {
      if (field.overridden) changes[field.path] = null;
      continue;
    }
    const { value } = parseDraft(field, raw);
    if (value !== undefined && value !== field.value) {
      changes[field.path] = value;
    }
  }
  return changes;
}

/** The settings as they will be once the changes are saved. */
function applied(
  settings: AdminSettingsResponse,
  changes: Record<string, SettingValue | null>,
): AdminSettingsResponse {
  return {
    ...settings,
    fields: settings.fields.map(field => {
      if (!(field.path in changes)) return field;
      const value = changes[field.path];
      return value === null
        ? { ...field, value: field.defaultValue, overridden: false }
        : { ...field, value, overridden: true };
    }),
  };
}

function FieldInput(props: {
  field: SettingField;
  draft: Draft;
  problem?: string;
  disabled: boolean;
  onChange: (path: string, raw: string | boolean | null) => void;
}) {
  const { field, draft, problem, disabled, onChange } = props;
  const drafted = field.path in draft;
  const raw = drafted ? draft[field.path] : field.value;
  const shown = raw === null ? field.defaultValue : raw;
  const id = `setting-${field.path}`;
  const help = [
    field.description,
    `Default ${String(field.defaultValue)}${
      field.min !== undefined ? `, at least ${field.min}` : ''
    }${field.max !== undefined ? `, at most ${field.max}` : ''}.`,
  ]
    .filter(Boolean)
    .join(' ');
  const changed = drafted ? raw !== null : field.overridden;

  let input;
  if (field.type === 'boolean') {
    input = (
      <FormControlLabel
        control={
          <Switch
            id={id}
            checked={shown === true}
            disabled={disabled}
            onChange={e => onChange(field.path, e.target.checked)}
            color="primary"
          />
        }
        label={field.label}
      />
    );
  } else {
    input = (
      <TextField
        id={id}
        label={field.label}
        value={String(shown)}
        select={field.type === 'enum'}
        type={
          field.type === 'enum' || field.type === 'string' ? 'text' : 'number'
        }
        inputProps={{
          min: field.min,
          max: field.max,
          step: field.type === 'integer' ? 1 : 'any',
        }}
        error={Boolean(problem)}
        helperText={problem ?? help}
        disabled={disabled}
        fullWidth
        variant="outlined"
        size="small"
        onChange={e => onChange(field.path, e.target.value)}
      >
        {(field.options ?? []).map(option => (
          <MenuItem key={option} value={option}>
            {option}
          </MenuItem>
        ))}
      </TextField>
    );
  }
  return (
    <Grid item xs={12} md={6} data-testid={id}>
      <Box display="flex" alignItems="flex-start">
        <Box flexGrow={1}>
          {input}
          {field.type === 'boolean' && (
            <Typography
              variant="caption"
              color={problem ? 'error' : 'textSecondary'}
              component="div"
            >
              {problem ?? help}
            </Typography>
          )}
        </Box>
        <Box ml={1} mt={0.5} minWidth={120}>
          {changed && (
            <>
              <Chip size="small" label="changed" color="primary" />
              <Button
                size="small"
                disabled={disabled}
                onClick={() => onChange(field.path, null)}
                aria-label={`Reset ${field.label} to its default`}
              >
                Default
              </Button>
            </>
          )}
        </Box>
      </Box>
    </Grid>
  );
}

/**
 * The settings form: checked as the admin types (the same rules the
 * backend applies), saved optimistically and rolled back when the backend
 * refuses, with its message next to the field it names.
 */
export function SettingsForm() {
  const api = useApi(realtimeInsightsAdminApiRef);
  const loaded = useAsyncRetry(() => api.getSettings(), [api]);
  const [settings, setSettings] = useState<AdminSettingsResponse>();
  const [draft, setDraft] = useState<Draft>({});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<Error>();
  const [serverProblems, setServerProblems] = useState<Record<string, string>>(
    {},
  );
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (loaded.value) {
      setSettings(loaded.value);
      setDraft({});
      setServerProblems({});
    }
  }, [loaded.value]);

  if (loaded.error && !settings) {
    return (
      <ErrorPanel
        title="Could not load the settings"
        error={backendError(loaded.error)}
      />
    );
  }
  if (!settings) return <Progress />;

  // Checked as the admin types; the backend's refusals until edited again.
  const clientProblems: Record<string, string> = {};
  for (const field of settings.fields) {
    const raw = draft[field.path];
    if (raw === undefined || raw === null) continue;
    const { problem } = parseDraft(field, raw);
    if (problem) clientProblems[field.path] = problem;
  }
  const problems = { ...serverProblems, ...clientProblems };
  const changes = changesOf(settings.fields, draft);
  const changeCount = Object.keys(changes).length;

  const onChange = (path: string, raw: string | boolean | null) => {
    setDraft(d => ({ ...d, [path]: raw }));
    setServerProblems(p => {
      const { [path]: _, ...rest } = p;
      return rest;
    });
    setSaved(false);
  };

  const save = async () => {
    const previous = settings;
    const previousDraft = draft;
    // Optimistic: show the new values at once, roll back if refused.
    setSettings(applied(previous, changes));
    setDraft({});
    setSaving(true);
    setError(undefined);
    setSaved(false);
    try {
      setSettings(await api.updateSettings(changes, previous.revision));
      setSaved(true);
    } catch (e) {
      const cause = backendError(e as Error);
      setSettings(previous);
      setDraft(previousDraft);
      setError(cause);
      const named = cause.message.match(/Invalid setting '([^']+)': (.*)$/);
      if (named) setServerProblems({ [named[1]]: named[2] });
    } finally {
      setSaving(false);
    }
  };

  const sections = [...new Set(settings.fields.map(f => f.section))];
  return (
    <InfoCard
      title="Settings"
      subheader={
        settings.updatedBy
          ? `Last changed by ${settings.updatedBy} at ${new Date(
              settings.updatedAt!,
            ).toLocaleString()}; in effect on every replica within seconds.`
          : 'The app-config defaults are in effect. Changes apply on every replica within seconds, without a restart.'
      }
    >
      {error && (
        <Alert
          severity="error"
          data-testid="settings-error"
          action={
            <Button color="inherit" size="small" onClick={loaded.retry}>
              Reload
            </Button>
          }
        >
          Not saved: {error.message}
        </Alert>
      )}
      {saved && (
        <Alert severity="success" data-testid="settings-saved">
          Saved.
        </Alert>
      )}
      {sections.map(section => (
        <Box key={section} mt={2}>
          <Typography variant="h6" gutterBottom>
            {sectionTitle(section)}
          </Typography>
          <Grid container spacing={2}>
            {settings.fields
              .filter(f => f.section === section)
              .map(field => (
                <FieldInput
                  key={field.path}
                  field={field}
                  draft={draft}
                  problem={problems[field.path]}
                  disabled={saving}
                  onChange={onChange}
                />
              ))}
          </Grid>
        </Box>
      ))}
      <Box mt={3} display="flex" justifyContent="flex-end">
        <Button
          disabled={saving || Object.keys(draft).length === 0}
          onClick={() => {
            setDraft({});
            setServerProblems({});
          }}
        >
          Discard
        </Button>
        <Box ml={1}>
          <Button
            variant="contained"
            color="primary"
            disabled={
              saving ||
              changeCount === 0 ||
              Object.keys(clientProblems).length > 0
            }
            onClick={save}
          >
            {saving
              ? 'Saving…'
              : `Save${changeCount ? ` (${changeCount})` : ''}`}
          </Button>
        </Box>
      </Box>
    </InfoCard>
  );
}
